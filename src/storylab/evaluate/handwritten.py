"""The hand-written capability items, in the style of TinyStories, as small templates.

These items do not come from storylab's story world: the sentences, names and
situations below were written by hand for this suite (children's names, everyday
situations, simple words). Running ``python -m storylab.evaluate.handwritten`` rewrites
``tasks/handwritten.jsonl``; the JSONL file is what the suite reads.

Almost every item comes in a *contrast pair*: the same options, with the context
changed so that the answer flips ("Fire is very [hot|cold]" / "Snow is very
[cold|hot]"). A model that only prefers one option regardless of context — a random
model preferring shorter tokenizations, or a trained one with a strong word prior —
gets one of each pair right: exactly chance. Only reading the context beats it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from storylab.evaluate.tasks import TASK_DIR, write_items

SOURCE = "handwritten"


def _pair(out, skill, sub, key, p1, a1, p2, a2, opts=None):
    """Two items: prompt p1 → a1 and prompt p2 → a2, each with the other as distractor
    (or with `opts` as the option set)."""
    for k, (p, a) in enumerate(((p1, a1), (p2, a2))):
        ds = [o for o in (opts or [a1, a2]) if o != a]
        out.append({"id": f"hw-{skill}-{key}-{k}", "skill": skill, "subskill": sub, "prompt": p,
                    "answer": a, "distractors": ds, "source": SOURCE, "group": f"hw-{skill}-{key}"})


def grammar(out):
    # subject-verb agreement: (context, singular subject, plural subject, verb sg, verb pl)
    agreement = [
        ("Lily went to the farm. The cow", "Lily went to the farm. The cows", " eats", " eat"),
        ("It was a sunny day. The little bird", "It was a sunny day. The little birds", " sings", " sing"),
        ("Tom looked out of the window. The dog", "Tom looked out of the window. The dogs", " runs", " run"),
        ("Mom opened the door. The cat", "Mom opened the door. The cats", " wants", " want"),
        ("At the park, the boy", "At the park, the boys", " plays", " play"),
        ("In the big tree, the owl", "In the big tree, the owls", " sleeps", " sleep"),
        ("The girl with the red hat", "The girls with the red hats", " is", " are"),
        ("The toy in the boxes", "The toys in the box", " is", " are"),
        ("Every morning, the farmer", "Every morning, the farmers", " feeds", " feed"),
        ("Near the pond, the frog", "Near the pond, the frogs", " jumps", " jump"),
        ("Ben said that his sister", "Ben said that his sisters", " likes", " like"),
        ("The flower in the garden", "The flowers in the garden", " was", " were"),
        ("After lunch, the baby", "After lunch, the babies", " takes", " take"),
        ("The kitten near the boxes", "The kittens near the box", " was", " were"),
        ("Anna's friend", "Anna's friends", " has", " have"),
    ]
    for k, (sg, pl, vs, vp) in enumerate(agreement):
        _pair(out, "grammar", "agreement", f"agree{k:02d}", sg, vs, pl, vp)

    # a / an: the prompt ends with the article; the noun must fit it
    an = [("Lily found", "egg", "ball"), ("Tom ate", "apple", "cookie"), ("Mom gave Sue", "orange", "banana"),
          ("In the tree, there was", "owl", "bird"), ("Ben wanted", "ice cream", "cake"),
          ("Sam saw", "elephant", "horse"), ("Mia drew", "umbrella", "house"), ("Dad bought", "old car", "new car"),
          ("Jack had", "idea", "plan"), ("At the zoo, they saw", "ant", "lion"), ("Grandma read", "easy book", "long book"),
          ("Under the bed, Max found", "empty box", "small box")]
    for k, (p, vowel, cons) in enumerate(an):
        _pair(out, "grammar", "a_an", f"an{k:02d}", f"{p} an", " " + vowel, f"{p} a", " " + cons)

    # tense: the story's tense (was / is) decides between past and present. (A time word alone
    # does not: "Every day, Tom played" is as good as "Every day, Tom plays" in a story told
    # in the past, so both members of a pair differ in one word that fixes the tense.)
    tense = [("Tom", "a happy boy", "he", " played", " plays"), ("Lily", "a little girl", "she", " walked", " walks"),
             ("Ben", "a busy boy", "he", " jumped", " jumps"), ("Sue", "a kind girl", "she", " helped", " helps"),
             ("The puppy", "very little", "it", " barked", " barks"), ("Mia", "a happy girl", "she", " painted", " paints"),
             ("Dad", "a good cook", "he", " cooked", " cooks"), ("The little boy", "very shy", "he", " smiled", " smiles"),
             ("Anna", "a good dancer", "she", " danced", " dances"), ("The cat", "very old", "it", " climbed", " climbs"),
             ("Sam", "a curious boy", "he", " looked", " looks"), ("Grandpa", "a farmer", "he", " worked", " works")]
    frames = ["{s} {v} {d}. Every day, {p}", "{s} {v} {d}, and every morning {p}", "{s} {v} {d}. Each day, {p}"]
    for k, (s, d, p, vpast, vpres) in enumerate(tense):
        f = frames[k % 3]
        _pair(out, "grammar", "tense", f"tense{k:02d}", f.format(s=s, v="was", d=d, p=p), vpast,
              f.format(s=s, v="is", d=d, p=p), vpres)

    # pronouns: the name (and its gender) decides she/he, her/him, her/his
    girls = ["Lily", "Mia", "Sue", "Anna", "Lucy", "Amy"]
    boys = ["Tom", "Ben", "Sam", "Max", "Tim", "Jack"]
    frames = [("{n} lost {p} ball, so", " she", " he", "subject"),
              ("Mom saw that {n} was sad, so she hugged", " her", " him", "object"),
              ("{n} looked in the mirror and brushed", " her", " his", "possessive"),
              ("{n} was very tired. After dinner,", " she", " he", "subject"),
              ("Grandma made a cake for {n} and gave it to", " her", " him", "object"),
              ("{n} put on", " her", " his", "possessive")]
    for k, (frame, fem, masc, sub) in enumerate(frames):
        for j in range(2):
            g, b = girls[(k + j) % 6], boys[(k + 2 * j) % 6]
            p_g = frame.format(n=g, p="her")
            p_b = frame.format(n=b, p="his")
            _pair(out, "grammar", f"pronoun_{sub}", f"pron{k}{j}", p_g, fem, p_b, masc)


def facts(out):
    pairs = [
        ("Fire is very", " hot", "Snow is very", " cold"),
        ("Lily was thirsty, so she drank some", " water", "Lily was hungry, so she ate some", " bread"),
        ("The cow said,", " \"Moo!\"", "The duck said,", " \"Quack!\""),
        ("The dog said,", " \"Woof!\"", "The cat said,", " \"Meow!\""),
        ("In winter, it is", " cold", "In summer, it is", " hot"),
        ("Tom was sleepy, so he went to", " bed", "In the morning, Tom took his bag and went to", " school"),
        ("The sun comes up in the", " morning", "The moon and the stars come out at", " night"),
        ("A bird can", " fly", "A fish can", " swim"),
        ("It was cold outside, so Lily put on her", " coat", "It was sunny outside, so Lily put on her", " sunglasses"),
        ("The grass is", " green", "On a sunny day, the sky is", " blue"),
        ("A lemon tastes", " sour", "Candy tastes", " sweet"),
        ("An elephant is very", " big", "A mouse is very", " small"),
        ("We see with our", " eyes", "We hear with our", " ears"),
        ("Bees make", " honey", "Cows give us", " milk"),
        ("A turtle is very", " slow", "A rabbit is very", " fast"),
        ("Ben was dirty after playing in the mud, so he took a", " bath", "Ben was very sleepy, so he took a", " nap"),
        ("When it rains, Sue takes her", " umbrella", "When she goes to the beach, Sue takes her", " towel"),
        ("Fish live in the", " water", "Birds build their nests in the", " trees"),
        ("The ice cream melted because the day was", " hot", "The pond froze because the day was", " cold"),
        ("At night, the room was", " dark", "In the day, the room was", " bright"),
        ("Mia cut the paper with", " scissors", "Mia ate her soup with", " a spoon"),
        ("Dad used a key to open the", " door", "Dad used a spoon to eat the", " soup"),
        ("It was very cold outside, so Max put on his warm", " coat", "The sun was very hot, so Max put on his sun",
         " hat"),
        ("Lucy wanted to write a letter, so she got a", " pencil", "Lucy wanted to dig a hole in the sand, so she got a",
         " shovel"),
        ("Tim felt sick, so Mom took him to see the", " doctor", "Tim wanted fresh bread, so Mom took him to see the",
         " baker"),
        ("It started to rain, so Amy opened her", " umbrella", "It was a windy day, so Amy went out to fly her",
         " kite"),
        ("There was a lot of snow, so Jack made a big", " snowman", "It was Jack's birthday, so Mom made a big",
         " cake"),
        ("The flowers were dry, so Anna gave them some", " water", "The birds were hungry, so Anna gave them some",
         " seeds"),
        ("That night, Sam looked out of the window and saw the bright", " moon",
         "That morning, Sam looked out of the window and saw the bright", " sun"),
        ("Mia's hands were dirty, so she washed them with", " soap", "Mia was thirsty, so she drank a glass of",
         " milk"),
        ("After a long day, Ben was very tired, so he went to", " bed",
         "It was Monday morning, so Ben took his bag and went to", " school"),
        ("The baby was sleepy, so Mom put her in her", " bed", "The baby was dirty, so Mom put her in the", " bath"),
        ("Tom wanted to see the stars, so he waited until it was", " night",
         "Tom wanted to play in the sun, so he waited until it was", " day"),
        ("The kitten was hungry, so Lily gave it some", " milk", "The kitten was cold, so Lily gave it a", " blanket"),
        ("Sue wanted to paint a picture, so she got her", " brushes",
         "Sue wanted to play music, so she got her", " drum"),
        ("The cake was in the oven, and it was very", " hot", "The juice was in the fridge, and it was very", " cold"),
        ("Ben's shoes were wet because he walked in the", " rain", "Ben's face was red because he sat in the", " sun"),
        ("The bird sat in its nest up in the", " tree", "The fish swam in the little", " pond"),
        ("Grandma could not see well, so she put on her", " glasses",
         "Grandma's feet were cold, so she put on her", " socks"),
        ("Max brushed his", " teeth", "Max combed his", " hair"),
        ("The leaves fell from the trees because it was", " fall",
         "The flowers came up because it was", " spring"),
        ("Anna wanted to cross the river, so she got in a", " boat",
         "Anna wanted to go up to the sky, so she got in a", " plane"),
        ("The dog wagged its", " tail", "The bird flapped its", " wings"),
        ("Tim heard a knock, so he opened the", " door", "Tim wanted fresh air, so he opened the", " window"),
        ("To make the room dark, Mia turned off the", " light", "To make the room quiet, Mia turned off the",
         " radio"),
        ("Lucy put the milk in the fridge to keep it", " cold", "Lucy put the soup on the stove to make it", " hot"),
        ("The farmer woke up when the rooster said,", " \"Cock-a-doodle-doo!\"", "The farmer laughed when the pig said,",
         " \"Oink!\""),
        ("Sam dropped the glass, and it", " broke", "Sam dropped the ball, and it", " bounced"),
        ("When you are sad, you", " cry", "When you are happy, you", " smile"),
        ("The boat floated on the", " water", "The kite flew in the", " sky"),
        ("Amy's teeth hurt, so she went to the", " dentist", "Amy needed new books, so she went to the", " library"),
    ]
    for k, (p1, a1, p2, a2) in enumerate(pairs):
        _pair(out, "everyday_fact", "", f"fact{k:02d}", p1, a1, p2, a2)


def exclusion(out):
    rows = [("Lily", "she", "a pet", "cats", "dogs", "cat", "dog", "Mom said no to a {x}, so Lily got a"),
            ("Tom", "he", "a snack", "apples", "bananas", "apple", "banana",
             "There were no {xs} left, so Tom took a"),
            ("Sue", "she", "a toy", "balls", "kites", "ball", "kite",
             "The {x} was too big for her bag, so Sue picked the"),
            ("Ben", "he", "a drink", "milk", "juice", "milk", "juice", "Mom said no more {x} today, so Ben had some"),
            ("Mia", "she", "a dress", "red dresses", "blue dresses", "red", "blue",
             "The {x} dress was too small, so Mia wore the"),
            ("Sam", "he", "a place to play", "the park", "the beach", "park", "beach",
             "The {x} was closed, so Sam went to the"),
            ("Anna", "she", "a book", "books about cats", "books about dogs", "cats", "dogs",
             "The book about {x} was gone, so Anna read the book about"),
            ("Max", "he", "a treat", "cookies", "cakes", "cookie", "cake",
             "Dad ate the last {x}, so Max ate the"),
            ("Lucy", "she", "a song", "the rain song", "the sun song", "rain", "sun",
             "Her friend did not like the {x} song, so Lucy sang the"),
            ("Tim", "he", "a friend to play with", "Ben", "Sam", "Ben", "Sam",
             "{x} was sick that day, so Tim played with"),
            ("Amy", "she", "a fruit", "pears", "plums", "pear", "plum", "The {x} was not ripe, so Amy ate the"),
            ("Jack", "he", "a game", "tag", "hide and seek", "tag", "hide and seek",
             "It was too hot to play {x}, so they played"),
        ]
    for k, (n, s, what, xs, ys, x, y, tmpl) in enumerate(rows):
        intro = f"{n} wanted {what}. {n} liked {xs} and {ys}. "
        p1 = intro + tmpl.format(x=x, xs=xs)   # x is excluded -> y
        p2 = intro + tmpl.format(x=y, xs=ys)   # y is excluded -> x
        _pair(out, "exclusion", "", f"excl{k:02d}", p1, " " + y, p2, " " + x)


def negation(out):
    rows = [
        ("Tom did not want the apple, so he ate the", " banana", "Tom did not want the banana, so he ate the", " apple"),
        ("The box was not red. It was", " blue", "The box was not blue. It was", " red"),
        ("Lily did not go to the park. She went to the", " beach", "Lily did not go to the beach. She went to the", " park"),
        ("The cat was not in the house. It was in the", " garden", "The cat was not in the garden. It was in the", " house"),
        ("Ben did not like the loud drum, so he played with the", " book",
         "Ben did not like the quiet book, so he played with the", " drum"),
        ("Sue was not sad. She was", " happy", "Sue was not happy. She was", " sad"),
        ("The water was not hot. It was", " cold", "The water was not cold. It was", " hot"),
        ("Mia did not pick the big dog. She picked the", " small", "Mia did not pick the small dog. She picked the", " big"),
        ("It was not day. It was", " night", "It was not night. It was", " day"),
        ("Sam did not eat the cake. He ate the", " pie", "Sam did not eat the pie. He ate the", " cake"),
        ("The door was not open. It was", " closed", "The door was not closed. It was", " open"),
        ("Anna did not want to sing, so she chose to", " dance", "Anna did not want to dance, so she chose to", " sing"),
    ]
    for k, (p1, a1, p2, a2) in enumerate(rows):
        _pair(out, "negation", "", f"neg{k:02d}", p1, a1, p2, a2)


def entity_tracking(out):
    rows = [
        ("Lily put the ball in the red box and the doll in the blue box. Later, she opened the {c} box and took out the",
         "red", "blue", " ball", " doll"),
        ("Tom gave the apple to Sam and the cake to Mia. Then {c} ate the", "Sam", "Mia", " apple", " cake"),
        ("Ben hid the key under the bed and the coin under the rug. He looked under the {c} and found the",
         "bed", "rug", " key", " coin"),
        ("Sue had a cat and a dog. The cat was called Fluffy and the dog was called Spot. Sue called her {c}, \"Come here,",
         "cat", "dog", " Fluffy", " Spot"),
        ("Mom put the milk in the fridge and the bread on the table. Mia went to the {c} and got the",
         "fridge", "table", " milk", " bread"),
        ("Max had a red car and a blue truck. He gave the red car to Tim. Now Max only had the", None, None,
         " truck", " car"),
        ("The frog sat on the rock and the duck sat on the log. A bird flew to the {c} and sat next to the",
         "rock", "log", " frog", " duck"),
        ("Anna wore a hat and Lucy wore a scarf. The wind blew away {c}'s", "Anna", "Lucy", " hat", " scarf"),
        ("Jack put his shoes by the door and his socks on the bed. He went to the {c} to get his",
         "door", "bed", " shoes", " socks"),
        ("The teddy was in the car and the ball was in the house. Lily looked in the {c} and found the",
         "car", "house", " teddy", " ball"),
        ("Amy planted a rose in the front and a tulip in the back. In spring, the flower in the {c} was a",
         "front", "back", " rose", " tulip"),
        ("The cookies were in the jar and the candy was in the bag. Sam opened the {c} and ate the",
         "jar", "bag", " cookies", " candy"),
    ]
    for k, (tmpl, c1, c2, a1, a2) in enumerate(rows):
        if c1 is None:  # a move: the object that is left
            p2 = tmpl.replace("He gave the red car to Tim. Now Max only had the",
                              "He gave the blue truck to Tim. Now Max only had the")
            _pair(out, "entity_tracking", "", f"ent{k:02d}", tmpl, a1, p2, a2)
        else:
            _pair(out, "entity_tracking", "", f"ent{k:02d}", tmpl.format(c=c1), a1, tmpl.format(c=c2), a2)


def counting(out):
    nums = ["zero", "one", "two", "three", "four", "five", "six"]
    opts = [" one", " two", " three"]
    things = [("apple", "apples"), ("cookie", "cookies"), ("ball", "balls"), ("duck", "ducks"), ("flower", "flowers"),
              ("bird", "birds"), ("block", "blocks"), ("egg", "eggs"), ("star", "stars"), ("book", "books")]
    names = [("Lily", "she"), ("Tom", "he"), ("Sue", "she"), ("Ben", "he"), ("Mia", "she"), ("Sam", "he"),
             ("Anna", "she"), ("Max", "he"), ("Lucy", "she"), ("Tim", "he")]
    k = 0
    for answer in (1, 2, 3):
        for j in range(10):
            (sg, pl), (n, s) = things[(j + answer) % 10], names[j]
            kind = j % 3
            if kind == 0:  # eat / give away some
                start = answer + 1 + (j % 2)
                gone = start - answer
                p = (f"{n} had {nums[start]} {pl}. {s.capitalize()} gave {nums[gone]} {sg if gone == 1 else pl} "
                     f"to a friend. Now {n} had")
            elif kind == 1:  # more arrive
                first = max(0, answer - 1 - (j % 2)) or 1
                more = answer - first
                if more <= 0:
                    first, more = answer, 0
                if more == 0:
                    p = f"{n} saw {nums[first]} {sg if first == 1 else pl} in the garden. Nothing else came. {n} saw"
                else:
                    p = (f"{n} saw {nums[first]} {sg if first == 1 else pl} in the garden. Then {nums[more]} more "
                         f"came. Now {n} saw")
            else:  # list and count
                items = [f"a {sg}"] * answer
                p = f"In the box, {n} found " + " and ".join(["one " + sg] + ["another " + sg] * (answer - 1)) + \
                    f". So {n} found"
            ans = opts[answer - 1]
            out.append({"id": f"hw-counting-{k:02d}", "skill": "counting", "subskill": ["take_away", "add", "list"][kind],
                        "prompt": p, "answer": ans, "distractors": [o for o in opts if o != ans], "source": SOURCE,
                        "group": f"hw-counting-g{j}"})
            k += 1


def space(out):
    dirs = {"north": "south", "south": "north", "east": "west", "west": "east"}
    places = [("park", "school"), ("shop", "house"), ("pond", "farm"), ("bakery", "library"),
              ("beach", "hill"), ("zoo", "station")]
    k = 0
    for (a, b), (d1, d2) in zip(places, [("north", "south"), ("east", "west"), ("south", "north"),
                                           ("west", "east"), ("north", "south"), ("east", "west")]):
        p1 = f"The {a} is {d1} of the {b}. So the {b} is"
        p2 = f"The {a} is {d2} of the {b}. So the {b} is"
        _pair(out, "space", "compass", f"space{k:02d}", p1, " " + dirs[d1], p2, " " + dirs[d2])
        k += 1
    rel = [("The cat sat to the left of the dog. So the dog sat to the", " right",
            "The cat sat to the right of the dog. So the dog sat to the", " left"),
           ("The bird was above the box. So the box was", " below", "The bird was below the box. So the box was", " above"),
           ("Lily stood in front of Tom. So Tom stood", " behind", "Lily stood behind Tom. So Tom stood in", " front"),
           ("The lamp was on the table. The ball was under the table. The lamp was", " above",
            "The ball was on the table. The lamp was under the table. The lamp was", " below"),
           ("Ben walked north to the shop. To go back home, he walked", " south",
            "Ben walked south to the shop. To go back home, he walked", " north"),
           ("The house was near the river and far from the hill. To get water, Mom walked to the", " river",
            "The house was near the hill and far from the river. To get sticks, Mom walked up the", " hill")]
    for p1, a1, p2, a2 in rel:
        _pair(out, "space", "relation", f"space{k:02d}", p1, a1, p2, a2)
        k += 1


def time_order(out):
    rows = [("Lily", "she", "park", "shop"), ("Tom", "he", "farm", "lake"), ("Sue", "she", "zoo", "beach"),
            ("Ben", "he", "school", "library"), ("Mia", "she", "bakery", "garden"), ("Sam", "he", "hill", "market")]
    k = 0
    for n, s, x, y in rows:
        p1 = f"In the morning, {n} went to the {x}. In the afternoon, {s} went to the {y}. First, {n} went to the"
        p2 = f"In the morning, {n} went to the {y}. In the afternoon, {s} went to the {x}. First, {n} went to the"
        _pair(out, "time_order", "first", f"time{k:02d}", p1, " " + x, p2, " " + y)
        k += 1
    acts = [("Anna", "ate breakfast", "brushed her teeth", " ate", " brushed"),
            ("Max", "put on his socks", "put on his shoes", " socks", " shoes"),
            ("Lucy", "planted the seed", "watered it", " planted", " watered"),
            ("Tim", "read a book", "went to sleep", " read", " went"),
            ("Amy", "washed her hands", "ate lunch", " washed", " ate"),
            ("Jack", "built a tower", "knocked it down", " built", " knocked")]
    for n, e1, e2, a1, a2 in acts:
        s = "she" if n in ("Anna", "Lucy", "Amy") else "he"
        p1 = f"{n} {e1}. After that, {s} {e2}. The first thing {n} did was that {s}"
        p2 = f"{n} {e1}. After that, {s} {e2}. The last thing {n} did was that {s}"
        _pair(out, "time_order", "before_after", f"time{k:02d}", p1, a1, p2, a2)
        k += 1


def main_character(out):
    rows = [("Mia", "Ben", "girl", "boy", "loved to paint", "her", "his"),
            ("Leo", "Sam", "boy", "boy", "loved trains", "his", "his"),
            ("Lily", "Sue", "girl", "girl", "loved to sing", "her", "her"),
            ("Tom", "Anna", "boy", "girl", "loved his red ball", "his", "her"),
            ("Lucy", "Max", "girl", "boy", "loved the rain", "her", "his"),
            ("Ben", "Tim", "boy", "boy", "loved to dig in the sand", "his", "his"),
            ("Amy", "Zoe", "girl", "girl", "loved her cat", "her", "her"),
            ("Jack", "Lily", "boy", "girl", "loved to climb trees", "his", "her"),
            ("Sara", "Tom", "girl", "boy", "loved to bake cakes", "her", "his"),
            ("Max", "Mia", "boy", "girl", "loved to fly his kite", "his", "her"),
            ("Zoe", "Amy", "girl", "girl", "loved big words", "her", "her"),
            ("Sam", "Leo", "boy", "boy", "loved the stars", "his", "his")]

    def story(main, other, kind, likes, pos):
        return (f"Once upon a time, there was a little {kind} named {main}. {main} {likes}. "
                f"One day, {other} came to play. They played for a long time, and then {other} went home. "
                f"At the end of the day, the {kind} who {likes} smiled. The {kind}'s name was")

    for k, (m, o, km, ko, likes, pm, po) in enumerate(rows):
        p1 = story(m, o, km, likes, pm)
        p2 = story(o, m, ko, likes.replace("his ", "her ") if ko == "girl" else likes.replace("her ", "his "), po)
        _pair(out, "main_character", "", f"main{k:02d}", p1, " " + m, p2, " " + o)


def instruction(out):
    words = [("ball", "jump", "happy"), ("cake", "share", "sad"), ("dog", "run", "big"), ("tree", "climb", "tall"),
             ("rain", "play", "wet"), ("cat", "sleep", "soft"), ("flower", "pick", "pretty"),
             ("boat", "sail", "blue"), ("bird", "sing", "little"), ("car", "drive", "fast"),
             ("hat", "find", "red"), ("book", "read", "funny"), ("sun", "shine", "warm"), ("fish", "swim", "wet"),
             ("box", "open", "heavy"), ("apple", "eat", "sweet"), ("kite", "fly", "high"), ("toy", "fix", "broken"),
             ("moon", "look", "bright"), ("friend", "help", "kind")]
    for k, ws in enumerate(words):
        feat = "Features: Dialogue\n" if k % 2 else ""
        out.append({"id": f"hw-instruction-{k:02d}", "skill": "instruction", "type": "words",
                    "prompt": f"{feat}Words: {', '.join(ws)}\nStory:", "words": list(ws), "source": SOURCE})


def build() -> list[dict]:
    out: list[dict] = []
    for f in (grammar, facts, exclusion, negation, entity_tracking, counting, space, time_order, main_character,
              instruction):
        f(out)
    return out


def main(path: str | None = None) -> None:
    path = Path(path) if path else TASK_DIR / "handwritten.jsonl"
    n = write_items(path, build())
    print(f"{n} items -> {path}")


if __name__ == "__main__":
    main(*sys.argv[1:])
