"""The overdose emergency page's words: signs, steps, naloxone, the family's phone
lines and the sources they were checked against (with their edition or year).

Pure data, read by templates/pages/emergency.html, the urgent card's steps and the
service worker's offline copy. Current lay-rescuer guidance: call, CPR when not
breathing normally, naloxone without delaying either, normal breathing as the goal.
Every number is to be called before each release.
"""
from .vocabulary import _l

EMERGENCY = {
    "signs": [
        _l("Won't wake up or respond, even when you shout their name "
           "or rub your knuckles hard on their breastbone"),
        _l("Slow, uneven or stopped breathing"),
        _l("Gurgling, choking or snoring sounds"),
        _l("Very small, pinpoint pupils"),
        _l("Blue, purple or gray lips and fingertips (ashen on darker skin)"),
        _l("Cold, clammy skin"),
        _l("Limp body"),
    ],
    # Above the list: nobody should wait to see every sign, or wait because unsure.
    "signs_lead": (
        _l("You don't need to see all of these signs. If they won't wake up, or their breathing "
           "is slow or has stopped, act now. Naloxone will not harm them if it turns out not to "
           "be an opioid overdose.")
    ),
    # Fear of the police is a common reason people wait to call. Kansas signed its law
    # on 9 May 2024; Wyoming's (SF0074) was signed in March 2025, in force 1 July 2025.
    "good_samaritan": (
        _l("Every US state has a Good Samaritan overdose law. Kansas and Wyoming were the last "
           "states to pass one, in 2024 and 2025. What the law protects is different from state "
           "to state. Calling for help is still the right thing to do.")
    ),
    # In this order (current lay-rescuer guidance): call, CPR when not breathing
    # normally, naloxone without delaying either, normal breathing as the goal, the
    # recovery position, staying. Rendered in the urgent card too: keep it short.
    "steps": [
        {
            "title": _l("Call for help on speaker."),
            "detail": (
                _l("Call 911, or your circle's own number, and put the phone on speaker. Give "
                   "the address first, then say: \"Someone is unresponsive and not breathing.\" "
                   "You don't need to say the word overdose. The operator will coach you.")
            ),
        },
        {
            "title": _l("Start CPR if they are not breathing normally."),
            "detail": (
                _l("If they are not breathing, or only gasping, push hard and fast in the center "
                   "of the chest. Use only your hands unless you are trained in rescue breaths. "
                   "The operator can coach you.")
            ),
        },
        {
            "title": _l("Give naloxone as soon as you have it."),
            "detail": (
                _l("Never wait for naloxone before you call or start CPR. Spray one dose into one "
                   "nostril. If someone else is there, one of you pushes on the chest while the "
                   "other gives naloxone. If they are still not breathing normally after 2 to 3 "
                   "minutes, or their breathing slows again, use a new device in the other "
                   "nostril. Keep up CPR in between.")
            ),
        },
        {
            "title": _l("Aim for normal breathing, not waking up."),
            "detail": (
                _l("Street drugs can have xylazine (\"tranq\") or another sedative mixed in. "
                   "Naloxone does not reverse it, so a person can breathe normally and still not "
                   "wake up. Once they breathe normally, do not give more doses to wake them.")
            ),
        },
        {
            "title": _l("If they breathe, roll them on their side."),
            "detail": (
                _l("If they breathe but don't respond, give naloxone first if you haven't yet. "
                   "Then put them in the recovery position: on their side, top knee bent. "
                   "Stay right beside them.")
            ),
        },
        {
            "title": _l("Stay with them until help comes, and after."),
            "detail": (
                _l("Naloxone wears off in 30 to 90 minutes, and fentanyl can last longer, so "
                   "breathing can stop again. They need medical care even after they wake up. "
                   "Waking up can bring sudden withdrawal. It is hard, and it passes. Using more "
                   "to ease it can cause a second overdose.")
            ),
        },
    ],
    "donts": [
        _l("Don't slap or hit them."),
        _l("Don't put them in a cold shower or bath."),
        _l("Don't try to make them vomit."),
        _l("Don't give them other drugs, drinks or anything else to take."),
        _l("Don't leave them alone, or let them \"sleep it off\". If you must step away, "
           "roll them on their side first."),
    ],
    # Emergency page only, under the steps (not in the urgent card).
    "naloxone": {
        "title": _l("Getting naloxone"),
        "paragraphs": [
            (
                _l("Since 2023, naloxone nasal spray is sold without a prescription. You can buy "
                   "it at pharmacies, under several brand names or as a generic. Many health "
                   "departments and community programs give it out for free.")
            ),
            (
                _l("Nalmefene nasal spray is another medicine that reverses an opioid overdose. "
                   "It needs a prescription.")
            ),
            (
                _l("Check the expiry date printed on the box. Many sprays last 3 to 4 years. "
                   "Keep them at room temperature, in the box. Don't leave them in a hot car, "
                   "and don't let them freeze. If one has frozen, let it thaw in your hand, "
                   "then use it.")
            ),
            (
                _l("Replace a spray when it expires. In an emergency, though, Colorado's public "
                   "health department says an expired dose is better than no dose.")
            ),
        ],
    },
    # Each with its edition or year. The AHA entry is the current edition (published
    # October 2025); the steps also match its 2020 lay-rescuer algorithm.
    "sources": [
        {
            "name": _l("Opioid-associated emergencies for lay rescuers, in the Guidelines for CPR "
                       "and Emergency Cardiovascular Care"),
            "publisher": _l("AHA (American Heart Association)"),
            "year": _l("2025 edition"),
        },
        {
            "name": _l("Overdose Prevention and Response Toolkit"),
            "publisher": _l("SAMHSA (Substance Abuse and Mental Health Services Administration)"),
            "year": _l("2025 update"),
        },
        {
            "name": _l("Opioid Use Disorder Patient Guide"),
            "publisher": _l("ASAM (American Society of Addiction Medicine)"),
            "year": _l("2025 edition"),
        },
        {
            "name": _l("Naloxone nasal spray approved for sale without a prescription"),
            "publisher": _l("FDA (US Food and Drug Administration)"),
            "year": _l("March 2023"),
        },
        {
            "name": _l("Longer shelf life for Narcan nasal spray, from 3 to 4 years"),
            "publisher": _l("FDA (US Food and Drug Administration)"),
            "year": _l("January 2024"),
        },
        {
            "name": _l("Naloxone questions and answers, on expired naloxone"),
            "publisher": _l("Colorado Department of Public Health and Environment"),
            "year": _l("based on a 2019 study"),
        },
    ],
    # Never Use Alone: the spec's list; its national number is confirmed by public
    # health and harm-reduction pages of 2022 to 2024 (its own site was not reachable
    # from here): check it answers before each release, like every number.
    "numbers": [
        {
            "label": _l("Emergency"),
            "number": "911",
            "tel": "911",
            "note": _l("For an overdose, or someone who won't wake up or isn't breathing normally."),
        },
        {
            "label": _l("988 Suicide & Crisis Lifeline"),
            "number": "988",
            "tel": "988",
            "sms": "988",
            "note": (
                _l("Call or text any time, for a mental health or substance use crisis, your own "
                   "too. For Spanish, press 2 when you call, or text AYUDA to 988.")
            ),
        },
        {
            "label": _l("SAMHSA National Helpline"),
            "number": "1-800-662-4357",
            "tel": "18006624357",
            "note": (
                _l("Free and confidential, day and night, every day, in English and Spanish. They "
                   "help you find treatment and answer questions. They do not offer counseling.")
            ),
        },
        {
            "label": _l("Poison Help"),
            "number": "1-800-222-1222",
            "tel": "18002221222",
            "note": (
                _l("Day and night, with interpreters, for questions about a medicine, a mix-up or "
                   "a possible poisoning. If someone won't wake up or has trouble breathing, call "
                   "911 instead.")
            ),
        },
        {
            "label": _l("Partnership to End Addiction, family helpline"),
            "number": "1-855-378-4373",
            "tel": "18553784373",
            "note": (
                _l("Free help in English and Spanish for families worried about a loved one's drug "
                   "use. It is not a crisis line. See drugfree.org for their hours.")
            ),
        },
        {
            "label": _l("Never Use Alone"),
            "number": "1-800-484-3731",
            "tel": "18004843731",
            "note": (
                _l("For the person in care, if they are going to use alone: a free line, day and "
                   "night. Someone stays on the phone and sends help if they stop answering.")
            ),
        },
    ],
    # How to reach a Spanish speaker on each line, for a family that speaks Spanish at
    # home (whatever language the page is in). Each entry: label, number (as shown),
    # tel (digits for a tel: link), note; 988 also sms and sms_body (an sms: link that
    # starts the text: sms:988?&body=AYUDA). Checked against stored copies, 2026-12:
    # - 988: "Spanish-language (Press 2)" and "text AYUDA", 988lifeline.org/get-help/
    #   what-to-expect; Washington DOH: "calling 988 and pressing 2, texting "AYUDA" to 988".
    # - SAMHSA National Helpline: "free, confidential, 24/7, 365-day-a-year ... (in English
    #   and Spanish)", samhsa.gov/find-help/national-helpline. No menu number for Spanish
    #   is published, so none is given here.
    # - Poison Help: "Interpretation is available in 161 languages",
    #   poisonhelp.hrsa.gov/the-poison-help-line and poisonhelp.hrsa.gov/faq/calling-poison-help.
    # - 911: centers add an interpreter through a language line; the caller names the
    #   language and stays on the line (morgancountymo.gov/non-english-speaking-callers,
    #   southsound911.org/hrf_faq/caller-doesnt-speak-english).
    "spanish_help": {
        "title": _l("Help in Spanish"),
        "lead": _l("Each of these lines can help in Spanish. The numbers are the same."),
        "lines": [
            {
                "label": _l("Emergency"),
                "number": "911",
                "tel": "911",
                "note": _l("Say \"Spanish\" and stay on the line: they add an interpreter to the "
                           "call. Give the address first."),
            },
            {
                "label": _l("988 Suicide & Crisis Lifeline"),
                "number": "988",
                "tel": "988",
                "sms": "988",
                "sms_body": "AYUDA",  # the keyword itself, in every language
                "note": _l("Call and press 2 for Spanish, or text the word AYUDA to 988."),
            },
            {
                "label": _l("SAMHSA National Helpline"),
                "number": "1-800-662-4357",
                "tel": "18006624357",
                "note": _l("They answer in English and Spanish, free and confidential, 24 hours "
                           "a day, every day."),
            },
            {
                "label": _l("Poison Help"),
                "number": "1-800-222-1222",
                "tel": "18002221222",
                "note": _l("Interpreters in 161 languages: ask for Spanish."),
            },
        ],
    },
    # A plain link: it makes no request until tapped.
    "find_treatment": {
        "label": "FindTreatment.gov",
        "url": "https://findtreatment.gov",
        "note": (
            _l("A free, confidential search for state-licensed treatment near you, run by SAMHSA. "
               "You can filter by how you pay and by medication for opioid use disorder.")
        ),
    },
}
