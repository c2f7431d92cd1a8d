# app/models/ has no __init__.py: a namespace folder, and `import app.models` finds app/models.py
def normalize(email):
    return email.strip().lower()
