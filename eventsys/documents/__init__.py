"""What the features' documents share: the letterhead, the facts about a session, the German
sort key for names, and the response that hands a PDF to the browser.

It sits below the features: minutes, the sign-in sheet and the charters print with it, and it
imports none of them.
"""
