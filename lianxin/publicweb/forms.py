"""Form fields the public forms share (the portal's opinion form, the projects app's proposal and report forms)."""

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files if f]
