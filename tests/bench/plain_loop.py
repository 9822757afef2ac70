"""The baseline for loading every sequence: one page after another with httpx, as a script
over the official client or curl does. Prints how many it got."""

import os
import sys

import httpx

base, key = sys.argv[1], os.environ["CLOSE_API_KEY"]
ids = set()
skip = 0
with httpx.Client(base_url=base, auth=(key, ""), timeout=30) as client:
    while True:
        answer = client.get("sequence/", params={"_skip": skip, "_limit": 100})
        body = answer.raise_for_status().json()
        ids.update(item["id"] for item in body["data"])
        if not body["has_more"]:
            break
        skip += 100
print(len(ids))
