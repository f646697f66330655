import sqlite3

from django.http import JsonResponse


def customer_emails(request):
    conn = sqlite3.connect("shop.db")
    rows = conn.execute("SELECT email FROM customers").fetchall()
    emails = []
    for (email,) in rows:
        if email.lower() not in emails:
            emails.append(email.lower())
    return JsonResponse({"emails": emails})
