"""The 15-minute deputy service circle (15分钟代表服务圈, issue 20): who lives within walking time of a deputies' home,
station or room, and where one more place would cover the most people."""
