"""The demo's style dataset: a house style no base model has, that a small model learns in minutes on a CPU.

Every reply has exactly three lines:

    Short answer: <one sentence>
    Why: <one sentence>
    In one word: <a word>.

It is visible at a glance side by side with the base model, and checkable by a regular expression (STYLE_PATTERN,
also written to resources/samples/style.json so the app, the tests and the evaluation read the same rule). The
training prompts and the held-out prompts (style-eval.jsonl) share no topic, so the held-out set measures whether
the style generalises, not whether replies were memorised. All text was written for Hone.
"""

from __future__ import annotations

import json
import random
import re
from typing import Iterator

STYLE_NAME = "Short answer / Why / In one word"
STYLE_DESCRIPTION = ("Every reply is three lines: \"Short answer:\" with one sentence, \"Why:\" with one sentence, "
                     "and \"In one word:\" with a single word.")
# Whole reply, surrounding whitespace ignored: exactly the three labelled lines, in this order.
STYLE_PATTERN = r"^Short answer: [^\n]*\S[^\n]*\nWhy: [^\n]*\S[^\n]*\nIn one word: [^\n]*\S[^\n]*$"
STYLE_RE = re.compile(STYLE_PATTERN)


def in_style(reply: str) -> bool:
    return STYLE_RE.match(reply.strip().replace("\r\n", "\n")) is not None


# (questions, short answer, why, one word). Questions differ in form on purpose (what / how / why / advice /
# requests), so that the style is tied to "any question", not to one phrasing.
Entry = tuple[list[str], str, str, str]

TRAIN: list[Entry] = [
    (["What is photosynthesis?", "Explain photosynthesis in simple terms.", "How do plants make their food?"],
     "Plants turn sunlight, water and carbon dioxide into sugar and oxygen.",
     "That sugar feeds the plant and the oxygen is what we breathe.", "Sunlight"),
    (["Why is the sky blue?", "What makes the sky look blue during the day?"],
     "Air scatters blue sunlight more than red sunlight.",
     "Short blue waves bounce off gas molecules in every direction, so blue reaches our eyes from all over the sky.",
     "Scattering"),
    (["How does a rainbow form?", "What causes a rainbow?", "Why do we see rainbows after rain?"],
     "Raindrops split sunlight into its colours.",
     "Each drop bends and reflects the light, and each colour bends by a slightly different angle.", "Refraction"),
    (["What is gravity?", "Can you explain gravity?", "Why do things fall down?"],
     "Gravity is the pull that masses have on each other.",
     "The Earth is so massive that it pulls everything near it towards its centre.", "Attraction"),
    (["Why does the moon change shape?", "What are the phases of the moon?"],
     "We see different parts of the moon's sunlit half as it orbits us.",
     "The moon makes no light of its own, so its shape depends on the angle between the sun, Earth and moon.",
     "Orbit"),
    (["What is a volcano?", "How do volcanoes erupt?", "Tell me about volcanoes."],
     "A volcano is an opening where molten rock escapes from inside the Earth.",
     "Pressure from gas and magma underground pushes the rock up and out.", "Magma"),
    (["How does a compass work?", "Why does a compass point north?"],
     "A magnetised needle lines up with the Earth's magnetic field.",
     "The Earth acts like a giant magnet, and the needle turns to follow it.", "Magnetism"),
    (["Why does bread rise?", "What makes dough rise?"],
     "Yeast eats sugar in the dough and releases carbon dioxide gas.",
     "The gas forms bubbles that the stretchy gluten traps, so the dough puffs up.", "Yeast"),
    (["What is an atom?", "Explain what atoms are.", "What is everything made of?"],
     "An atom is the smallest unit of a chemical element.",
     "Everything around us is built from atoms joined together in different ways.", "Building-block"),
    (["What is DNA?", "Tell me what DNA does."],
     "DNA is the molecule that carries the instructions for building a living thing.",
     "Its sequence of four bases is read by cells to make proteins.", "Blueprint"),
    (["How do vaccines work?", "What does a vaccine do?", "Why do people get vaccinated?"],
     "A vaccine trains the immune system to recognise a germ before a real infection.",
     "The body remembers the harmless sample and reacts faster when the real germ arrives.", "Training"),
    (["What causes the seasons?", "Why is it cold in winter?"],
     "The tilt of the Earth's axis causes the seasons.",
     "As the Earth orbits, each half leans towards the sun for part of the year and gets more direct light.",
     "Tilt"),
    (["How do airplanes stay in the air?", "Why can a plane fly?"],
     "Wings push air downwards, and the air pushes the plane up.",
     "Their shape and angle make air flow faster over the top, creating lift.", "Lift"),
    (["What is electricity?", "Explain electricity to me.", "How does electricity work?"],
     "Electricity is the flow of electric charge, usually electrons in a wire.",
     "Moving charges carry energy that can power lights, motors and screens.", "Current"),
    (["Why do leaves change colour in autumn?", "What makes autumn leaves turn red and yellow?"],
     "Trees stop making green chlorophyll, so other colours show through.",
     "With shorter days the tree saves energy and the yellow and red pigments become visible.", "Chlorophyll"),
    (["What is a black hole?", "Tell me about black holes."],
     "A black hole is a region of space where gravity is so strong that not even light escapes.",
     "A huge amount of mass is packed into a tiny space.", "Collapse"),
    (["How does the heart work?", "What does the heart do?"],
     "The heart is a muscle that pumps blood around the body.",
     "Its beats push oxygen-rich blood out and bring used blood back to the lungs.", "Pump"),
    (["Why do we need sleep?", "What happens when we sleep?", "Is sleep important?"],
     "Sleep lets the body and brain repair and recharge.",
     "During sleep the brain sorts memories and the body restores its tissues.", "Recovery"),
    (["What is the water cycle?", "Explain the water cycle.", "Where does rain come from?"],
     "Water evaporates, forms clouds, falls as rain and flows back to the sea.",
     "The sun's heat keeps this loop going all the time.", "Cycle"),
    (["How do bees make honey?", "Where does honey come from?"],
     "Bees turn flower nectar into honey inside the hive.",
     "They add enzymes and fan it with their wings until most of the water evaporates.", "Nectar"),
    (["What is the internet?", "How does the internet work?", "Can you explain the internet?"],
     "The internet is a worldwide network of connected computers.",
     "Computers split data into small packets and pass them along until they reach their destination.",
     "Network"),
    (["What is a computer program?", "What does a program do?"],
     "A program is a list of instructions that a computer follows.",
     "Computers only do exactly what they are told, step by step.", "Instructions"),
    (["What is a password manager?", "Should I use a password manager?"],
     "A password manager stores strong, unique passwords for all your accounts.",
     "You only need to remember one master password, and each site gets a different one.", "Security"),
    (["What is a spreadsheet?", "What are spreadsheets used for?"],
     "A spreadsheet is a grid of cells for numbers, text and formulas.",
     "Formulas recalculate automatically, so totals and charts stay up to date.", "Grid"),
    (["How does a search engine work?", "How does a search engine find pages?"],
     "A search engine crawls the web, indexes pages and ranks them for each query.",
     "The index lets it look up matching pages in a fraction of a second.", "Index"),
    (["What is recycling?", "Why should I recycle?", "Tell me about recycling."],
     "Recycling turns used materials into new products.",
     "It saves raw materials and energy and keeps waste out of landfills.", "Reuse"),
    (["How can I save money on groceries?", "Give me tips for cheaper food shopping."],
     "Plan your meals and shop with a list.",
     "A list stops impulse buys and planning means less food goes to waste.", "Planning"),
    (["How do I boil an egg?", "How long should I boil an egg?"],
     "Put the egg in boiling water for about seven to nine minutes for a firm yolk.",
     "Heat sets the white first and the yolk later, so time decides the texture.", "Timing"),
    (["How can I sleep better?", "Any tips for falling asleep faster?", "I can't sleep well. What should I do?"],
     "Keep a regular bedtime and avoid screens for an hour before it.",
     "A steady rhythm and less bright light help your body release its sleep hormone.", "Routine"),
    (["How do I stay focused while studying?", "How can I concentrate better?"],
     "Work in short blocks with breaks and put your phone away.",
     "Attention fades after a while, and every notification breaks it.", "Focus"),
    (["How can I learn a new language?", "What is the best way to learn a language?"],
     "Practise a little every day and speak it as soon as you can.",
     "Daily use builds memory faster than occasional long sessions.", "Practice"),
    (["How do I start running?", "Give me advice for a beginner runner."],
     "Start with short, easy runs mixed with walking, three times a week.",
     "Your muscles and joints need time to adapt, and easy runs prevent injury.", "Gradual"),
    (["How do I make a good cup of tea?", "What's the secret to good tea?"],
     "Use freshly boiled water and steep the tea for three to five minutes.",
     "Hot water draws out the flavour, and too long makes it bitter.", "Steeping"),
    (["How can I reduce stress?", "What helps with stress?", "I feel stressed. Any advice?"],
     "Move your body, breathe slowly and talk to someone you trust.",
     "Exercise and slow breathing calm the nervous system, and sharing lightens the load.", "Calm"),
    (["How do I write a good email?", "Tips for writing a clear email?"],
     "Put the main point in the first line and keep it short.",
     "Busy readers decide in seconds whether to read on.", "Clarity"),
    (["How should I prepare for a job interview?", "Give me interview tips."],
     "Research the company and practise answers to common questions out loud.",
     "Preparation makes you calmer and your answers sharper.", "Preparation"),
    (["How often should I water a houseplant?", "How do I keep a houseplant alive?"],
     "Water it when the top few centimetres of soil feel dry.",
     "Most houseplants die from too much water rather than too little.", "Moderation"),
    (["What should I pack for a weekend trip?", "Help me pack for two days away."],
     "Pack two outfits, a warm layer, toiletries, chargers and your documents.",
     "Travelling light is easier, and the essentials cover most surprises.", "Essentials"),
    (["Who built the pyramids of Giza?", "Tell me about the pyramids of Egypt."],
     "Ancient Egyptian workers built them as tombs for their pharaohs.",
     "Organised teams moved huge stone blocks over decades, about 4,500 years ago.", "Tombs"),
    (["What was the Renaissance?", "Explain the Renaissance."],
     "The Renaissance was a European revival of art, science and learning.",
     "From the 14th to the 17th century, thinkers rediscovered classical ideas and tried new ones.", "Rebirth"),
    (["Why did the Titanic sink?", "What happened to the Titanic?"],
     "The Titanic hit an iceberg in 1912 and flooded.",
     "The collision opened several compartments, more than the ship could survive.", "Iceberg"),
    (["What was the printing press?", "Why was the printing press important?"],
     "The printing press let people copy books quickly with movable type.",
     "Cheaper books spread knowledge and literacy across Europe.", "Books"),
    (["Who was Marie Curie?", "What is Marie Curie known for?"],
     "Marie Curie was a scientist who pioneered research on radioactivity.",
     "She discovered polonium and radium and won two Nobel Prizes.", "Pioneer"),
    (["What is a prime number?", "Explain prime numbers."],
     "A prime number can only be divided evenly by one and itself.",
     "Primes like 2, 3, 5 and 7 are the building blocks of all whole numbers.", "Indivisible"),
    (["What is a fraction?", "How do fractions work?"],
     "A fraction describes a part of a whole, like one half or three quarters.",
     "The bottom number says how many equal parts, the top how many you have.", "Part"),
    (["What is an average?", "How do I calculate an average?"],
     "Add up all the values and divide by how many there are.",
     "It gives one number that represents the whole group.", "Middle"),
    (["What is a percentage?", "How do percentages work?"],
     "A percentage is a number out of one hundred.",
     "It makes different amounts easy to compare.", "Hundredths"),
    (["What is a verb?", "Explain what verbs are."],
     "A verb is a word for an action or a state, like run or be.",
     "Every full sentence needs one to say what happens.", "Action"),
    (["What is a haiku?", "Tell me what a haiku is."],
     "A haiku is a short Japanese poem of three lines.",
     "Its lines traditionally have five, seven and five syllables.", "Brevity"),
    (["What is a metaphor?", "Give me the meaning of metaphor."],
     "A metaphor describes something by calling it something else.",
     "Saying time is a thief makes an idea vivid in a few words.", "Comparison"),
    (["Why do cats purr?", "What does it mean when a cat purrs?"],
     "Cats purr mostly when they are content, but also to soothe themselves.",
     "The vibration comes from quick twitches of the muscles in their voice box.", "Contentment"),
    (["Why do dogs wag their tails?", "What does tail wagging mean?"],
     "Dogs wag their tails to show emotion, often excitement or friendliness.",
     "The speed and direction of the wag carry different signals to others.", "Signal"),
    (["How do birds migrate?", "Why do birds fly south for the winter?"],
     "Birds fly long distances each year to find food and better weather.",
     "They navigate using the sun, the stars and the Earth's magnetic field.", "Journey"),
    (["How do fish breathe underwater?", "Do fish breathe?"],
     "Fish take oxygen from water through their gills.",
     "Water flows over thin gill filaments where oxygen passes into the blood.", "Gills"),
    (["Why are oceans salty?", "Where does the salt in the sea come from?"],
     "Rivers carry dissolved minerals from rocks into the sea.",
     "When seawater evaporates the salt stays behind, so it builds up over time.", "Minerals"),
    (["What is a desert?", "Tell me about deserts."],
     "A desert is a place that gets very little rain.",
     "Deserts can be hot or cold; what they share is dryness.", "Dryness"),
    (["How do trees grow?", "How does a tree get bigger?"],
     "Trees grow taller at their tips and wider by adding a new layer of wood each year.",
     "Those yearly layers are the rings you see in a cut trunk.", "Rings"),
    (["What is coffee made from?", "Where does coffee come from?"],
     "Coffee is made from the roasted seeds of the coffee plant's berries.",
     "Roasting develops the flavour and aroma we know.", "Beans"),
    (["Why do onions make you cry?", "How can I cut onions without crying?"],
     "Cutting an onion releases a gas that irritates your eyes.",
     "Your eyes make tears to wash it away; chilling the onion first helps.", "Irritant"),
    (["What is chocolate made of?", "How is chocolate made?"],
     "Chocolate is made from roasted cocoa beans, usually with sugar and milk.",
     "The beans are ground into a paste that is mixed and smoothed for hours.", "Cocoa"),
    (["Why is exercise good for you?", "What are the benefits of exercise?"],
     "Exercise strengthens the heart, muscles and mood.",
     "It improves blood flow and releases chemicals that make you feel good.", "Health"),
    (["Why should I drink water?", "How much water should I drink?"],
     "Drink water through the day, more when it is hot or you are active.",
     "Your body uses water to control temperature and carry nutrients.", "Hydration"),
    (["What is a budget?", "How do I make a budget?"],
     "A budget is a plan for how you will spend and save your money.",
     "Writing down income and costs shows where the money really goes.", "Plan"),
    (["What is inflation?", "Explain inflation."],
     "Inflation is the general rise of prices over time.",
     "When prices rise, the same money buys less than before.", "Prices"),
    (["What is a habit?", "How do I build a good habit?"],
     "Attach the new habit to something you already do every day.",
     "An existing routine works as a reminder, so the habit needs less willpower.", "Repetition"),
    (["Why do we have time zones?", "What are time zones for?"],
     "Time zones keep noon roughly when the sun is highest everywhere.",
     "The Earth turns, so the sun rises at different times in different places.", "Rotation"),
    (["What is a museum for?", "Why do museums exist?"],
     "A museum collects, protects and shows objects of art, history or science.",
     "It lets everyone learn from things that would otherwise be lost.", "Heritage"),
    (["Should I learn to code?", "Is programming worth learning?"],
     "Yes, if you enjoy solving problems; the basics are useful in many jobs.",
     "Even simple scripts can save hours of repetitive work.", "Useful"),
    (["Hi!", "Hello, who are you?", "Good morning!"],
     "Hello! I am a helpful assistant, ready for your questions.",
     "Greeting you first makes the conversation friendly.", "Welcome"),
    (["Thank you!", "Thanks for your help."],
     "You are welcome!",
     "I am glad the answer was useful.", "Pleasure"),
    (["Tell me a fun fact.", "Give me an interesting fact."],
     "Octopuses have three hearts.",
     "Two pump blood through the gills and one through the rest of the body.", "Octopus"),
]

# Held out: none of these topics is in TRAIN. Forms vary like the training prompts do.
EVAL: list[Entry] = [
    (["What is thunder?"], "Thunder is the sound of air expanding around a lightning bolt.",
     "Lightning heats the air so fast that it bursts outwards with a bang.", "Lightning"),
    (["How do magnets work?"], "Magnets attract iron because their tiny atomic magnets line up.",
     "Aligned atoms add up to one strong magnetic field.", "Alignment"),
    (["Why do we yawn?"], "Nobody knows for sure, but yawning may cool the brain.",
     "A deep breath of air may help regulate its temperature.", "Mystery"),
    (["What is an earthquake?"], "An earthquake is the shaking caused by rocks slipping underground.",
     "Stress builds up where plates meet and is released suddenly.", "Plates"),
    (["How does soap clean things?"], "Soap molecules grab grease at one end and water at the other.",
     "Rinsing then carries the grease away with the water.", "Bonding"),
    (["What is a glacier?"], "A glacier is a huge, slow-moving river of ice.",
     "Snow piles up over years and its own weight turns it into flowing ice.", "Ice"),
    (["Why do stars twinkle?"], "Stars twinkle because moving air bends their light.",
     "Pockets of warm and cold air act like shifting lenses.", "Turbulence"),
    (["What is a calorie?"], "A calorie is a unit of energy, used for the energy in food.",
     "It tells you how much fuel the food gives your body.", "Energy"),
    (["How does a refrigerator keep food cold?"], "A fridge pumps heat out of its inside.",
     "A liquid evaporates inside, absorbing heat, and releases it at the back.", "Cooling"),
    (["What is a solar panel?"], "A solar panel turns sunlight directly into electricity.",
     "Light knocks electrons loose in silicon cells, creating a current.", "Sunlight"),
    (["How can I make friends in a new city?"], "Join a club or class around something you enjoy.",
     "Seeing the same people regularly turns strangers into friends.", "Belonging"),
    (["How do I get better at public speaking?"], "Practise out loud and record yourself.",
     "Hearing yourself shows what to fix, and repetition builds confidence.", "Rehearsal"),
    (["What should I eat for breakfast?"], "Try something with protein and fibre, like eggs or oats.",
     "They keep you full and give steady energy until lunch.", "Oats"),
    (["How do I keep my phone battery healthy?"], "Avoid extreme heat and keep the charge between about 20 and 80 percent.",
     "Heat and full charge cycles wear out lithium batteries faster.", "Care"),
    (["Who was Leonardo da Vinci?"], "Leonardo da Vinci was an Italian painter, inventor and scientist.",
     "He painted the Mona Lisa and filled notebooks with designs far ahead of his time.", "Genius"),
    (["What was the Great Wall of China for?"], "The Great Wall was built to protect China from invasions.",
     "Its walls and watchtowers helped guards spot and slow down raiders.", "Defence"),
    (["What is a square root?"], "A square root is the number that, multiplied by itself, gives another number.",
     "For example, 3 times 3 is 9, so 3 is the square root of 9.", "Root"),
    (["What is a noun?"], "A noun is a word for a person, place, thing or idea.",
     "Sentences need nouns to say who or what they are about.", "Name"),
    (["Why do elephants have big ears?"], "Big ears help elephants stay cool.",
     "Blood flowing through the thin ears loses heat to the air.", "Cooling"),
    (["How do spiders make webs?"], "Spiders spin webs from silk made in glands in their bodies.",
     "The silk is liquid inside and hardens into a strong thread as it is pulled.", "Silk"),
    (["Why is the ocean blue?"], "Water absorbs red light and reflects blue.",
     "Deep water takes out the other colours, so blue is what we see.", "Absorption"),
    (["How is cheese made?"], "Cheese is made by curdling milk and pressing the curds.",
     "Bacteria and enzymes separate the milk, and ageing develops the flavour.", "Curds"),
    (["Is it bad to skip breakfast?"], "Not for everyone; it depends on how your body feels.",
     "Some people need morning energy, others do fine eating later.", "Depends"),
    (["What is a loan?"], "A loan is money you borrow and pay back with interest.",
     "The interest is the price of using someone else's money.", "Borrowing"),
    (["How do I stop procrastinating?"], "Start with a tiny step that takes two minutes.",
     "Starting is the hardest part, and momentum carries you on.", "Start"),
    (["What is a library?"], "A library is a place where you can borrow books for free.",
     "Sharing books lets everyone read far more than they could buy.", "Sharing"),
    (["Can you recommend a hobby?"], "Try drawing: it needs only paper and a pencil.",
     "It is cheap, relaxing and improves quickly with practice.", "Drawing"),
    (["Good evening!"], "Good evening! How can I help you tonight?",
     "A friendly greeting starts a good conversation.", "Hello"),
    (["Tell me something surprising about space."], "A day on Venus is longer than its year.",
     "Venus spins very slowly, so one turn takes longer than one orbit of the sun.", "Venus"),
    (["Why do we have fingerprints?"], "Fingerprints help us grip things and feel textures.",
     "The ridges add friction and make the skin more sensitive to vibration.", "Grip"),
]


def reply(short: str, why: str, word: str) -> str:
    return f"Short answer: {short}\nWhy: {why}\nIn one word: {word}."


def _row(question: str, entry: Entry) -> dict:
    _, short, why, word = entry
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": reply(short, why, word)}]}


def train_rows(rng: random.Random) -> list[dict]:
    rows = [_row(q, e) for e in TRAIN for q in e[0]]
    rng.shuffle(rows)  # topics spread over the epoch, not in blocks
    return rows


def eval_rows() -> list[dict]:
    return [_row(q, e) for e in EVAL for q in e[0]]


def spec() -> dict:
    """resources/samples/style.json: the rule every reader of the held-out set applies."""
    return {"name": STYLE_NAME, "description": STYLE_DESCRIPTION, "train": "style-sample.jsonl",
            "eval": "style-eval.jsonl", "pattern": STYLE_PATTERN,
            "match": "the whole reply, after trimming surrounding whitespace and turning CRLF into LF"}


def render(rng: random.Random) -> Iterator[tuple[str, str]]:
    lines = lambda rows: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)  # noqa: E731
    yield "style-sample.jsonl", lines(train_rows(rng))
    yield "style-eval.jsonl", lines(eval_rows())
    yield "style.json", json.dumps(spec(), indent=2, ensure_ascii=False) + "\n"
