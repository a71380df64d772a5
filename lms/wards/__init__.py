"""Places: wards (phường/xã) and their residential groups (tổ dân phố/thôn)."""
