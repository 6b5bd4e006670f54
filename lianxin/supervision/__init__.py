"""Supervision (监督, issue 19): annual supervision items split among supervision groups with their records before,
during and after; integrity monitoring points (廉情监测点) and their confidential clues and transfers to the discipline
commission; deputies meeting the heads of state organs (约见) and urgent suggestions straight to an organ (直通车)."""
