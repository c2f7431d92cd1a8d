class Field:
    pass
