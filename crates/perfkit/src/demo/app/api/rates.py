import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/rates/{currency}")
async def rates(currency: str):
    # A blocking HTTP call stalls every request on this event loop.
    reply = requests.get(f"https://rates.example.com/{currency}", timeout=5)
    return reply.json()
