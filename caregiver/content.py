"""Plain-language content for caregivers: words, levels of care, checklists, emergency.

Pure data, no Flask and no logic beyond small lookups. Every sentence here is our
own; we aim for a reading age of about 12 and short sentences.

Where the ideas come from (ideas only, never their sentences):
- the two seed articles in the design folder: how inpatient and outpatient care
  differ, who tends to need more structure, why outpatient care fails, what makes
  a step down safer, and the kinds of programs (PHP, IOP, residential, sober living,
  counseling, support groups, medication);
- the American Heart Association's guidance on opioid-associated emergencies for
  lay rescuers (2025 Guidelines for CPR and ECC; the steps match the 2020
  lay-rescuer algorithm and the 2015 text: CPR when not breathing normally,
  naloxone as soon as it is at hand without delaying the call or CPR);
- SAMHSA's Overdose Prevention and Response Toolkit (2025 update, PEP23-03-00-001):
  overdose signs, what to say to 911, naloxone, recovery position, staying;
- the FDA: naloxone nasal spray without a prescription (2023), the Narcan shelf-life
  extension (2024), and the Narcan label's dosing and storage;
- harm-reduction and health-department guidance on xylazine (the goal of naloxone
  is breathing, not waking up) and on naloxone wearing off in 30 to 90 minutes;
- ASAM (American Society of Addiction Medicine): the levels of care and its
  patient guide on opioid use disorder (2025); the 4th edition calls day treatment
  "high-intensity outpatient";
- SAMHSA on the MAT Act (buprenorphine without a waiver since 2023);
- the COWS and SOWS opioid withdrawal scales: the observable withdrawal signs.

The facts were checked against stored copies of these sources, not the live web:
call every phone number and check hours and wording on the live sites before
each release.

Clinical humility: this text helps a family notice and write down. It never
diagnoses and never decides a level of care; the care team does.
"""

from .vocabulary import CHECKLIST_ITEMS, LEVEL_NAMES

DISCLAIMER = (
    "This app helps you notice what you see and write it down. "
    "It does not diagnose anyone or decide on care: the care team does."
)

# ---------------------------------------------------------------------------
# Levels of care, most structure first
# ---------------------------------------------------------------------------

LEVELS = [
    {
        "id": "inpatient",
        "name": LEVEL_NAMES["inpatient"],
        "short": "24/7 medical stay",
        "what": (
            "A stay in a treatment center with nurses day and night and doctors on hand. "
            "Drugs are much harder to get there, and each day has a clear routine. A medical "
            "detox (withdrawal) stay is shorter, often a few days to two weeks."
        ),
        "how_often": "Around the clock, usually for 30 to 90 days",
        "fits": (
            "The care team may suggest it for someone who went back to using after "
            "outpatient treatment, or whose withdrawal is severe or lasts a long time. "
            "It also fits daily or unpredictable use, an overdose or a close call, and use "
            "that goes on despite serious harm. Living where fentanyl is easy to get is "
            "another reason to think about it."
        ),
        "medication": (
            "Staff give each dose and watch how it works. The doctor can adjust it every day "
            "until the person is stable."
        ),
        "twenty_four_seven": True,
    },
    {
        "id": "residential",
        "name": LEVEL_NAMES["residential"],
        "short": "Longer live-in stay",
        "what": (
            "A longer live-in program away from everyday triggers, "
            "with therapy, groups and a steady daily routine."
        ),
        "how_often": "Around the clock, from a few months up to a year",
        "fits": (
            "Often fits someone who has gone back to using several times, or who needs "
            "more time in a drug-free place to rebuild daily life."
        ),
        "medication": (
            "Staff usually keep the medicine and give each dose. A doctor checks in and "
            "can change the dose when needed. Before they go, ask whether the program "
            "continues buprenorphine or methadone: some still do not, and stopping it for a "
            "stay raises the risk of overdose afterwards."
        ),
        "twenty_four_seven": True,
    },
    {
        "id": "php",
        "name": LEVEL_NAMES["php"],
        "short": "Day treatment",
        "what": (
            "Treatment for most of the day, much like an inpatient program, "
            "and then home to sleep. Newer ASAM guidance calls it high-intensity outpatient."
        ),
        "how_often": "5 to 7 days a week, several hours a day; home at night",
        "fits": (
            "Often a next step after inpatient or residential care, or a step up when "
            "regular outpatient is not enough. It needs a safe home to go back to each night."
        ),
        "medication": (
            "Some doses may be given at the program, and the rest are taken at home. "
            "The team sees the person most days, so a dose can be changed quickly."
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "iop",
        "name": LEVEL_NAMES["iop"],
        "short": "Several sessions weekly",
        "what": (
            "Group and one-on-one sessions on three or more days a week, "
            "with time left for work, school or family."
        ),
        "how_often": "About 3 hours a day, 3 or more days a week; home at night",
        "fits": (
            "Can fit someone whose withdrawal is under control and who has a safe home, "
            "but who still needs more than a weekly visit."
        ),
        "medication": (
            "Buprenorphine and naltrexone are usually taken at home, and the prescriber "
            "changes the dose at appointments, less often than in a 24/7 program. Methadone is "
            "taken at the clinic, watched by staff at first."
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "outpatient",
        "name": LEVEL_NAMES["outpatient"],
        "short": "Regular appointments",
        "what": (
            "Regular visits for therapy and medication, "
            "while the person lives at home and keeps their usual day."
        ),
        "how_often": "A few hours a week",
        "fits": (
            "Many people start treatment medication as outpatients, often within days. It tends "
            "to hold best when withdrawal is controlled, medication is taken steadily, home is "
            "free of drugs, and people around them help."
        ),
        "medication": (
            "Buprenorphine and naltrexone are usually taken at home, and the prescriber "
            "changes the dose at appointments, which may be weeks apart. Methadone is taken at "
            "the clinic, with take-home doses added as things go well."
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "recovery-support",
        "name": LEVEL_NAMES["recovery-support"],
        "short": "Ongoing support",
        "what": (
            "Medication, support groups, or both, "
            "without a treatment program around them."
        ),
        "how_often": "As often as the person and the care team plan, often weekly",
        "fits": (
            "Can fit a longer, steady stretch of recovery, "
            "when the care team agrees a program is no longer needed."
        ),
        "medication": (
            "Buprenorphine and naltrexone are usually taken at home, and the prescriber checks "
            "them at visits, often once a month or less. Methadone still comes from the clinic, "
            "often with take-home doses by then."
        ),
        "twenty_four_seven": False,
    },
]

LEVEL_BY_ID = {level["id"]: level for level in LEVELS}

# The six signs that often point to inpatient care (from the seed article on inpatient
# and outpatient care; each also named in the inpatient level's "fits").
INPATIENT_SIGNS = [
    "They went back to using after outpatient treatment.",
    "Their withdrawal is severe, or it lasts a long time.",
    "They use every day, or in ways no one can predict.",
    "They have overdosed, or come close.",
    "They cannot stop, even after serious harm.",
    "Fentanyl is easy for them to get where they live.",
]
INPATIENT_SIGNS_LEAD = (
    "These signs often point to inpatient care. They are not a test: "
    "bring what you see to the care team, and let them decide."
)
# What a clinician most wants to hear about at once, whatever the level (from a
# clinical review: dangerous withdrawal from other drugs, illness, pregnancy, suicide).
TELL_AT_ONCE = [
    "They also drink heavily or take benzodiazepines (like Xanax or Valium). Stopping those suddenly can be dangerous.",
    "They have a serious illness, a wound that looks infected, or they are pregnant.",
    "They talk about suicide, or seem unsafe to themselves or others. Call or text 988 too.",
]
TELL_AT_ONCE_LEAD = "Also tell the care team at once if any of these is true:"

# Top of the continuum page: nobody has to pick a level alone.
ASSESSMENT = {
    "title": "When you're unsure, start with an assessment",
    "text": (
        "A clinical assessment decides which level of care is safest right now. "
        "You do not have to work it out alone. Ask the care team for one. "
        "If there is no care team yet, call the SAMHSA National Helpline. "
        "It is free, confidential, and open day and night, and it can point you to "
        "treatment near you. You can also search FindTreatment.gov for licensed "
        "programs near you."
    ),
    "helpline": {"label": "SAMHSA National Helpline", "number": "1-800-662-4357", "tel": "18006624357"},
    "find_treatment": {"label": "FindTreatment.gov", "url": "https://findtreatment.gov"},
}

# Under the levels: who handles the medicine, in a few words per level (each level's
# "medication" says more).
MEDICATION_BY_LEVEL_LEAD = (
    "In a 24/7 program, staff give the medicine and can change the dose often, even every day. "
    "Outside 24/7 care, buprenorphine and naltrexone are usually taken at home, and the "
    "prescriber changes the dose at appointments. Methadone is taken at the clinic, watched "
    "by staff at first. Injections are given at the clinic. You can help by keeping the "
    "medicine safe and noticing changes. Leave any change in dose to the prescriber."
)

# Things that go along with a level of care. They are not levels themselves.
ALONGSIDE = [
    {
        "id": "support-groups",
        "name": "Support groups",
        "text": (
            "Groups where people in recovery share what is hard and what helps. "
            "Some are led by peers, some by a therapist, and some follow 12 steps. "
            "There are groups for families too."
        ),
    },
    {
        "id": "counseling",
        "name": "Counseling and therapy",
        "text": (
            "One-on-one, group or family sessions, such as cognitive behavioral therapy (CBT). "
            "They help the person understand their triggers and practice ways to handle "
            "cravings and stress."
        ),
    },
    {
        "id": "medication",
        "name": "Medication for opioid use disorder",
        "text": (
            "Buprenorphine and methadone ease withdrawal and cravings and lower the risk of "
            "dying from an overdose. Naltrexone blocks the effect of opioids. As a monthly shot, "
            "it can start only after about 7 to 14 days without any opioids. These medicines "
            "can go with any level of care. Taking them as prescribed is treatment, not trading "
            "one drug for another. Stopping buprenorphine or methadone, even after a long time, "
            "lowers tolerance; after naltrexone wears off there is no tolerance at all. Either "
            "way the risk of overdose goes up, so plan any change with the prescriber. "
            "Since the end of 2022, no special waiver is needed to prescribe buprenorphine. Any prescriber "
            "whose DEA registration covers Schedule III medicines can prescribe it, where state "
            "law allows. Methadone for opioid use "
            "disorder comes only from a certified opioid treatment program, often called a "
            "methadone clinic."
        ),
    },
    {
        "id": "sober-living",
        "name": "Sober living",
        "text": (
            "A shared home without drugs or alcohol for people in recovery. Many move in after "
            "24/7 care and keep working, studying or going to outpatient treatment from there. "
            "It is a place to live, not treatment by itself. Some homes do not allow treatment "
            "medication: ask before moving in."
        ),
    },
]

# ---------------------------------------------------------------------------
# Checklists (ids are stable; order as in the spec)
# ---------------------------------------------------------------------------

# The sentences of each checklist item, by id (the ids and their order are in
# vocabulary.CHECKLIST_CATALOG).
CHECKLIST_TEXT = {
    "coping-practiced": {
        "text": "They have used their coping skills when things got hard, not just learned them.",
        "why": "Skills tried under pressure are more likely to hold up at home.",
    },
    "stress-handled": {
        "text": "They have gotten through a stressful time without using.",
        "why": "Stress is one of the most common reasons people go back to using.",
    },
    "home-substance-free": {
        "text": "Home is free of fentanyl, street drugs and leftover pills. Prescribed treatment medicine stays, locked up.",
        "why": "Easy access in a hard moment is a common way things go wrong.",
    },
    "medication-plan": {
        "text": "Prescriber, pharmacy and the next dose after the move are all set.",
        "why": "A gap in medication can bring back withdrawal and cravings within a day or two, and raise the risk of overdose.",
    },
    "next-appointment": {
        "text": "The first appointment at the next level of care is booked.",
        "why": "The days between programs are when people most often lose touch with care.",
    },
    "accountability": {
        "text": "People outside treatment and a plan to stay in regular touch are in place.",
        "why": "With fewer hours of treatment, the people around them matter more.",
    },
    "warning-plan": {
        "text": "Everyone, the person in care included, agrees who to call and when to step back up to more care.",
        "why": "Deciding ahead makes it easier to act fast. Stepping up is a plan, not a failure.",
    },
    "medically-stable": {
        "text": "The care team has said they are medically stable.",
        "why": "Only the care team can judge this, so ask them directly.",
    },
    "naloxone-home": {
        "text": ("At least two doses of naloxone are at home, before their expiry date and kept "
                 "at room temperature, and everyone knows where they are."),
        "why": "In an overdose there is no time to search, and a frozen or overheated spray may not work.",
    },
    "naloxone-trained": {
        "text": "Everyone at home knows the signs of an overdose, how to give naloxone, and how to do hands-only CPR.",
        "why": "The first person to find them may be the one who has to act.",
    },
    "meds-locked": {
        "text": "Medicines at home, especially opioids and sleeping pills, are locked up.",
        "why": "It lowers the risk of misuse, mix-ups and accidental overdose for everyone.",
    },
    "crisis-numbers": {
        "text": "Crisis and care team numbers are saved in every caregiver's phone.",
        "why": "In a crisis, nobody should have to look a number up.",
    },
    "transport": {
        "text": "Rides to appointments are arranged.",
        "why": "A missed ride can mean a missed dose or a missed session.",
    },
}

CHECKLIST_INTROS = {
    "step-down": {
        "title": "Before a step down",
        "intro": (
            "Things that tend to make a move to less structure safer. "
            "Tick what is true now, and talk it through with the care team. "
            "They make the call."
        ),
    },
    "home-safety": {
        "title": "Home safety",
        "intro": (
            "Simple steps that make home safer "
            "and make an emergency easier to handle."
        ),
    },
}

CHECKLISTS = {
    key: {**CHECKLIST_INTROS[key],
          "items": [{"id": i, **CHECKLIST_TEXT[i]} for i in CHECKLIST_ITEMS[key]]}
    for key in CHECKLIST_ITEMS
}

# ---------------------------------------------------------------------------
# Emergency (shown offline, one tap from every page)
# ---------------------------------------------------------------------------

EMERGENCY = {
    "signs": [
        "Won't wake up or respond, even when you shout their name "
        "or rub your knuckles hard on their breastbone",
        "Slow, uneven or stopped breathing",
        "Gurgling, choking or snoring sounds",
        "Very small, pinpoint pupils",
        "Blue, purple or gray lips and fingertips (ashen on darker skin)",
        "Cold, clammy skin",
        "Limp body",
    ],
    # Above the list: nobody should wait to see every sign, or wait because unsure.
    "signs_lead": (
        "You don't need to see all of these signs. If they won't wake up, or their breathing "
        "is slow or has stopped, act now. Naloxone will not harm them if it turns out not to "
        "be an opioid overdose."
    ),
    # Fear of the police is a common reason people wait to call. Kansas signed its law
    # on 9 May 2024; Wyoming's (SF0074) was signed in March 2025, in force 1 July 2025.
    "good_samaritan": (
        "Every US state has a Good Samaritan overdose law. Kansas and Wyoming were the last "
        "states to pass one, in 2024 and 2025. What the law protects is different from state "
        "to state. Calling for help is still the right thing to do."
    ),
    # In this order (current lay-rescuer guidance): call, CPR when not breathing
    # normally, naloxone without delaying either, normal breathing as the goal, the
    # recovery position, staying. Rendered in the urgent card too: keep it short.
    "steps": [
        {
            "title": "Call for help on speaker.",
            "detail": (
                "Call 911, or your circle's own number, and put the phone on speaker. Give "
                "the address first, then say: \"Someone is unresponsive and not breathing.\" "
                "You don't need to say the word overdose. The operator will coach you."
            ),
        },
        {
            "title": "Start CPR if they are not breathing normally.",
            "detail": (
                "If they are not breathing, or only gasping, push hard and fast in the center "
                "of the chest. Use only your hands unless you are trained in rescue breaths. "
                "The operator can coach you."
            ),
        },
        {
            "title": "Give naloxone as soon as you have it.",
            "detail": (
                "Never wait for naloxone before you call or start CPR. Spray one dose into one "
                "nostril. If someone else is there, one of you pushes on the chest while the "
                "other gives naloxone. If they are still not breathing normally after 2 to 3 "
                "minutes, or their breathing slows again, use a new device in the other "
                "nostril. Keep up CPR in between."
            ),
        },
        {
            "title": "Aim for normal breathing, not waking up.",
            "detail": (
                "Street drugs can have xylazine (\"tranq\") or another sedative mixed in. "
                "Naloxone does not reverse it, so a person can breathe normally and still not "
                "wake up. Once they breathe normally, do not give more doses to wake them."
            ),
        },
        {
            "title": "If they breathe, roll them on their side.",
            "detail": (
                "If they breathe but don't respond, give naloxone first if you haven't yet. "
                "Then put them in the recovery position: on their side, top knee bent. "
                "Stay right beside them."
            ),
        },
        {
            "title": "Stay with them until help comes, and after.",
            "detail": (
                "Naloxone wears off in 30 to 90 minutes, and fentanyl can last longer, so "
                "breathing can stop again. They need medical care even after they wake up. "
                "Waking up can bring sudden withdrawal. It is hard, and it passes. Using more "
                "to ease it can cause a second overdose."
            ),
        },
    ],
    "donts": [
        "Don't slap or hit them.",
        "Don't put them in a cold shower or bath.",
        "Don't try to make them vomit.",
        "Don't give them other drugs, drinks or anything else to take.",
        "Don't leave them alone, or let them \"sleep it off\". If you must step away, "
        "roll them on their side first.",
    ],
    # Emergency page only, under the steps (not in the urgent card).
    "naloxone": {
        "title": "Getting naloxone",
        "paragraphs": [
            (
                "Since 2023, naloxone nasal spray is sold without a prescription. You can buy "
                "it at pharmacies, under several brand names or as a generic. Many health "
                "departments and community programs give it out for free."
            ),
            (
                "Nalmefene nasal spray is another medicine that reverses an opioid overdose. "
                "It needs a prescription."
            ),
            (
                "Check the expiry date printed on the box. Many sprays last 3 to 4 years. "
                "Keep them at room temperature, in the box. Don't leave them in a hot car, "
                "and don't let them freeze. If one has frozen, let it thaw in your hand, "
                "then use it."
            ),
            (
                "Replace a spray when it expires. In an emergency, though, Colorado's public "
                "health department says an expired dose is better than no dose."
            ),
        ],
    },
    # Each with its edition or year. The AHA entry is the current edition (published
    # October 2025); the steps also match its 2020 lay-rescuer algorithm.
    "sources": [
        {
            "name": "Opioid-associated emergencies for lay rescuers, in the Guidelines for CPR "
                    "and Emergency Cardiovascular Care",
            "publisher": "AHA (American Heart Association)",
            "year": "2025 edition",
        },
        {
            "name": "Overdose Prevention and Response Toolkit",
            "publisher": "SAMHSA (Substance Abuse and Mental Health Services Administration)",
            "year": "2025 update",
        },
        {
            "name": "Opioid Use Disorder Patient Guide",
            "publisher": "ASAM (American Society of Addiction Medicine)",
            "year": "2025 edition",
        },
        {
            "name": "Naloxone nasal spray approved for sale without a prescription",
            "publisher": "FDA (US Food and Drug Administration)",
            "year": "March 2023",
        },
        {
            "name": "Longer shelf life for Narcan nasal spray, from 3 to 4 years",
            "publisher": "FDA (US Food and Drug Administration)",
            "year": "January 2024",
        },
        {
            "name": "Naloxone questions and answers, on expired naloxone",
            "publisher": "Colorado Department of Public Health and Environment",
            "year": "based on a 2019 study",
        },
    ],
    # Never Use Alone: the spec's list; its national number is confirmed by public
    # health and harm-reduction pages of 2022 to 2024 (its own site was not reachable
    # from here): check it answers before each release, like every number.
    "numbers": [
        {
            "label": "Emergency",
            "number": "911",
            "tel": "911",
            "note": "For an overdose, or someone who won't wake up or isn't breathing normally.",
        },
        {
            "label": "988 Suicide & Crisis Lifeline",
            "number": "988",
            "tel": "988",
            "sms": "988",
            "note": (
                "Call or text any time, for a mental health or substance use crisis, your own "
                "too. For Spanish, press 2 when you call, or text AYUDA to 988."
            ),
        },
        {
            "label": "SAMHSA National Helpline",
            "number": "1-800-662-4357",
            "tel": "18006624357",
            "note": (
                "Free and confidential, day and night, every day, in English and Spanish. They "
                "help you find treatment and answer questions. They do not offer counseling."
            ),
        },
        {
            "label": "Poison Help",
            "number": "1-800-222-1222",
            "tel": "18002221222",
            "note": (
                "Day and night, with interpreters, for questions about a medicine, a mix-up or "
                "a possible poisoning. If someone won't wake up or has trouble breathing, call "
                "911 instead."
            ),
        },
        {
            "label": "Partnership to End Addiction, family helpline",
            "number": "1-855-378-4373",
            "tel": "18553784373",
            "note": (
                "Free help in English and Spanish for families worried about a loved one's drug "
                "use. It is not a crisis line. See drugfree.org for their hours."
            ),
        },
        {
            "label": "Never Use Alone",
            "number": "1-800-484-3731",
            "tel": "18004843731",
            "note": (
                "For the person in care, if they are going to use alone: a free line, day and "
                "night. Someone stays on the phone and sends help if they stop answering."
            ),
        },
    ],
    # A plain link: it makes no request until tapped.
    "find_treatment": {
        "label": "FindTreatment.gov",
        "url": "https://findtreatment.gov",
        "note": (
            "A free, confidential search for state-licensed treatment near you, run by SAMHSA. "
            "You can filter by how you pay and by medication for opioid use disorder."
        ),
    },
}

# ---------------------------------------------------------------------------
# Step-down readiness: criteria and overall words (never "ready")
# ---------------------------------------------------------------------------

CRITERION_LABELS = {
    "withdrawal-controlled": "Withdrawal under control",
    "cravings-manageable": "Cravings manageable",
    "medication-stable": "Medication taken steadily",
    "no-recent-use": "No signs of use lately",
    "safe-environment": "Safe, drug-free home",
    "stress-tolerated": "Handles stress without using",
    "coping-practiced": "Coping skills practiced",
    "medically-stable": "Medically stable, says the care team",
    "accountability": "People to lean on, and a plan to stay in touch",
    "transition-planned": "Next steps planned",
    "no-warning-prompts": "No current warning signs",
}

