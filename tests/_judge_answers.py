"""Judge answers written for storylab's tests, in the styles real judges answer in.

Each entry: ``style``, ``text``, and either ``scores`` (grammar, creativity, consistency,
plot) with ``age`` (a letter or None), or ``reason`` (a fragment of the expected rejection
reason). Styles:

- ``gpt4``: GPT-4-class API models (the TinyStories paper's format, JSON, tidy markdown);
- ``vllm``: Llama / Qwen instruct models behind vLLM (markdown lists and tables, fenced
  JSON, Qwen3/R1-style ``<think>`` blocks);
- ``ollama``: small local models via Ollama (headings with ``Score:`` lines, loose JSON,
  bold labels, dashes);
- ``llamacpp``: chatty answers from llama.cpp servers (prose, restated rubrics with
  placeholder numbers, the grade line at the end);
- ``refusal``: answers that grade nothing, and answers that really miss or break a grade
  (rejected with a reason, counted in every style's denominator as a correct rejection).

Entries marked ``late=True`` were written after the parser was finished and passed
without changing it (an out-of-sample check of the rest, which the parser was developed on).
"""

ANSWERS = [
    # --- gpt4 -------------------------------------------------------------------------------
    dict(style="gpt4", scores=(8, 6, 7, 6), age="B", text=(
        "The student completed the sentence well.\n"
        "Grammar: 8/10, Creativity: 6/10, Consistency: 7/10, Plot: 6/10. Age group: B (4-5).")),
    dict(style="gpt4", scores=(9, 7, 9, 8), age="C", text=(
        "The student's completion is grammatically correct and picks up the cut sentence naturally "
        "(\"...to the pond, where the ducks were waiting\"). The characters and setting stay the same, and the "
        "story reaches a gentle ending, though the idea of sharing bread is a familiar one.\n\n"
        "Grammar: 9/10, Creativity: 7/10, Consistency: 9/10, Plot: 8/10. Age group: C (6-7)")),
    dict(style="gpt4", scores=(7, 5, 8, 6), age="C", text=(
        '{"grammar": 7, "creativity": 5, "consistency": 8, "plot": 6, "age_group": "C", '
        '"comment": "Correct but predictable; the ending is abrupt."}')),
    dict(style="gpt4", scores=(6, 4, 3, 4), age="B", text=(
        "**Assessment:** The completion has a few tense errors (\"she goed\") and switches the dog's name from "
        "Max to Sam, which breaks consistency. The plot wanders and stops without an ending.\n\n"
        "**Grades**\n- **Grammar:** 6/10\n- **Creativity:** 4/10\n- **Consistency:** 3/10\n- **Plot:** 4/10\n"
        "- **Age group:** B (4-5)")),
    dict(style="gpt4", scores=(8, 8, 9, 7), age="D", text=(
        "| Dimension | Grade |\n|---|---|\n| Grammar | 8/10 |\n| Creativity | 8/10 |\n"
        "| Consistency with the beginning | 9/10 |\n| Plot | 7/10 |\n| Age group | D (8-9) |")),
    dict(style="gpt4", scores=(5, 3, 6, 2), age="A", text=(
        "The student finishes the sentence (\"...and the ball was red.\") but then repeats \"the ball was red\" "
        "four times and never develops a story.\n\nGrammar: 5/10, Creativity: 3/10, Consistency: 6/10, "
        "Plot: 2/10. Age group: A (3 or under).")),
    dict(style="gpt4", scores=(9, 8.5, 9, 8), age="E", text=(
        "Grammar: 9/10\nCreativity: 8.5/10\nConsistency: 9/10\nPlot: 8/10\nAge group: E (10-12)")),
    # --- vllm (Llama / Qwen instruct) ---------------------------------------------------------
    dict(style="vllm", scores=(7, 6, 8, 7), age="C", text=(
        "Here is my evaluation of the student's completion:\n\n```json\n{\n  \"grammar\": 7,\n"
        "  \"creativity\": 6,\n  \"consistency\": 8,\n  \"plot\": 7,\n  \"age_group\": \"C\"\n}\n```")),
    dict(style="vllm", scores=(8, 7, 8, 6), age="C", text=(
        "**Evaluation of the student's completion**\n\n1. **Grammar**: 8 - The sentences are well formed, with "
        "one missing comma.\n2. **Creativity**: 7 - The talking squirrel is a nice touch.\n3. **Consistency**: 8 "
        "- Lily and her red kite are kept.\n4. **Plot**: 6 - The ending comes too quickly.\n\n"
        "**Age group**: C (6-7)")),
    dict(style="vllm", scores=(6, 5, 7, 5), age="B", text=(
        "<think>\nThe beginning is about Tom and a lost shoe. The student finishes the sentence... grammar has "
        "some errors, maybe 6. Creativity is low, 4? Actually the shoe-in-the-tree idea is cute, so 5. "
        "Consistency: 7/10 seems right. Plot 5.\n</think>\n\nGrammar: 6/10, Creativity: 5/10, "
        "Consistency: 7/10, Plot: 5/10. Age group: B (4-5).")),
    dict(style="vllm", scores=(7, 6, 6, 5), age="C", text=(
        "| Grammar | Creativity | Consistency | Plot | Age group |\n|---|---|---|---|---|\n"
        "| 7 | 6 | 6 | 5 | C |")),
    dict(style="vllm", scores=(8, 6, 9, 7), age="D", text=(
        'Sure! Here are the grades in JSON format:\n\n{"scores": {"grammar": {"score": 8, "reason": "Mostly '
        'correct."}, "creativity": {"score": 6, "reason": "Some new ideas."}, "consistency": {"score": 9, '
        '"reason": "Keeps the names."}, "plot": {"score": 7, "reason": "Has an ending."}}, "age_group": "D"}')),
    dict(style="vllm", scores=(7, 7, 8, 6), age="C", text=(
        "Assessment: The student completes the sentence correctly and keeps the same characters. "
        "The story is simple but coherent.\n\n- Grammar - 7\n- Creativity - 7\n- Consistency - 8\n- Plot - 6\n"
        "- Age group - C")),
    dict(style="vllm", scores=(9, 6, 8, 7), age="D", text=(
        '[{"dimension": "grammar", "score": 9}, {"dimension": "creativity", "score": 6}, '
        '{"dimension": "consistency", "score": 8}, {"dimension": "plot", "score": 7}, '
        '{"dimension": "age group", "score": "D (8-9)"}]')),
    dict(style="vllm", scores=(6, 6, 5, 5), age=None, text=(
        "<think>\nOkay, let me look at this. The student wrote about a cat named Tim but the beginning had a cat "
        "named Mittens. So consistency is hurt. Grammar is okay-ish. I'd say grammar 6/10, creativity 6/10, "
        "consistency 5/10, plot 5/10.\n</think>\n")),
    # --- ollama (small local models) ----------------------------------------------------------
    dict(style="ollama", scores=(7, 5, 6, 6), age="C", text=(
        "### Grammar\nThe grammar is mostly correct, with 2 small errors in verb tense.\nScore: 7/10\n\n"
        "### Creativity\nThe story adds a rainbow, which is a little original.\nScore: 5/10\n\n"
        "### Consistency\nThe student kept Ben and the park but forgot the dog.\nScore: 6/10\n\n"
        "### Plot\nThe story has a beginning, middle and end.\nScore: 6/10\n\n"
        "### Age Group\nC (6-7)")),
    dict(style="ollama", scores=(8, 7, 7, 7), age="C", text=(
        "{'grammar': 8, 'creativity': 7, 'consistency': 7, 'plot': 7, 'age_group': 'C',}")),
    dict(style="ollama", scores=(6, 7, 5, 6), age="B", text=(
        "Grammar: 6 out of 10\nCreativity: 7 out of 10\nConsistency: 5 out of 10\nPlot: 6 out of 10\n"
        "Age group: B")),
    dict(style="ollama", scores=(7, 6, 8, 7), age="C", text=(
        "**Grammar**: 7\n**Creativity**: 6\n**Consistency**: 8\n**Plot**: 7\n**Age group**: C")),
    dict(style="ollama", scores=(5, 4, 6, 4), age="B", text=(
        "Grammar (1-10): 5\nCreativity (1-10): 4\nConsistency (1-10): 6\nPlot (1-10): 4\n"
        "Estimated age group: B (4-5 years old)")),
    dict(style="ollama", scores=(8, 6, 7, 6), age="C", text=(
        "* Grammar - 8/10 (good sentences)\n* Creativity - 6/10\n* Consistency - 7/10\n* Plot - 6/10\n\n"
        "I think the writer is in age group C.")),
    dict(style="ollama", scores=(7.5, 6, 8, 6.5), age="C", text=(
        "Grammar: 7.5\nCreativity: 6\nConsistency: 8\nPlot: 6.5\nAge group: C (6-7)")),
    # --- llama.cpp (chatty) ---------------------------------------------------------------------
    dict(style="llamacpp", scores=(7, 6, 8, 6), age="C", text=(
        "Sure! I'd be happy to grade this story. I will grade it on:\n- Grammar: X/10\n- Creativity: X/10\n"
        "- Consistency: X/10\n- Plot: X/10\n- Age group: [A-F]\n\nNow let me read the story. The student "
        "finished the sentence about the boat and kept the same characters. The grammar is good.\n\n"
        "- Grammar: 7/10\n- Creativity: 6/10\n- Consistency: 8/10\n- Plot: 6/10\n- Age group: C")),
    dict(style="llamacpp", scores=(8, 5, 7, 6), age="B", text=(
        "What a sweet story! I'd rate the grammar at 8/10 because the sentences are clear. The creativity is "
        "about 5/10, since it mostly retells the beginning. For consistency, I'd give it 7/10 because the "
        "names stay the same. The plot gets 6/10.\n\nGrammar: 8/10, Creativity: 5/10, Consistency: 7/10, "
        "Plot: 6/10. Age group: B (4-5).")),
    dict(style="llamacpp", scores=(6, 5, 7, 5), age="C", text=(
        "The grading scale is:\nGrammar: 1 (very poor) to 10 (excellent)\nCreativity: 1-10\n"
        "Consistency: [score]\nPlot: <score>\n\nMy grades: Grammar: 6/10, Creativity: 5/10, "
        "Consistency: 7/10, Plot: 5/10. Age group: C (6-7).")),
    dict(style="llamacpp", scores=(7, 7, 6, 6), age="D", text=(
        "The student did a nice job. 7/10 for grammar, 7/10 for creativity, 6/10 for consistency and "
        "6/10 for the plot. I would guess age group D (8-9).")),
    dict(style="llamacpp", scores=(5, 6, 4, 5), age="B", text=(
        "Let me restate the rubric first. Grammar: N/10, Creativity: N/10, Consistency: N/10, Plot: N/10, "
        "Age group: L.\n\nThe story has 3 characters but the plot is confusing. Grammar has a few mistakes.\n\n"
        "Final answer:\nGrammar: 5/10, Creativity: 6/10, Consistency: 4/10, Plot: 5/10. Age group: B")),
    dict(style="llamacpp", scores=(8, 7, 8, 7), age=None, text=(
        "Grammar: 6/10, Creativity: 6/10, Consistency: 7/10, Plot: 6/10.\n\nWait, on reflection the grammar is "
        "better than I said and the ending is sweet. Revised:\nGrammar: 8/10, Creativity: 7/10, "
        "Consistency: 8/10, Plot: 7/10.")),
    dict(style="llamacpp", scores=(7, 6, 7, 6), age="C", text=(
        "For example, a perfect answer would be: Grammar: 10/10, Creativity: 10/10, Consistency: 10/10, "
        "Plot: 10/10.\n\nThe student's story is fine, with a small mistake.\n\n"
        "Grammar: 7/10, Creativity: 6/10, Consistency: 7/10, Plot: 6/10. Age group: C (6-7).")),
    dict(style="llamacpp", scores=(7, 5, 8, 6), age="C", text=(
        "Grammar score: 7\nCreativity score: 5\nConsistency score: 8\nPlot score: 6\nAge group estimate: C")),
    # --- refusals and real rejections -------------------------------------------------------------
    dict(style="refusal", reason="refused", text=(
        "I'm sorry, but I can't help with grading this content.")),
    dict(style="refusal", reason="refused", text=(
        "As an AI language model, I am unable to assign numerical grades to a child's creative writing, "
        "but I can offer some feedback: the story is charming.")),
    dict(style="refusal", reason="missing plot", text=(
        "Grammar: 8/10, Creativity: 6/10, Consistency: 7/10. Age group: C")),
    dict(style="refusal", reason="grammar is not a grade", text=(
        "I will grade it as follows.\nGrammar: X/10\nCreativity: X/10\nConsistency: X/10\nPlot: X/10\n"
        "Age group: [A-F]")),
    dict(style="refusal", reason="creativity is not a grade from 1 to 10 (12)", text=(
        "Grammar: 8/10, Creativity: 12/10, Consistency: 7/10, Plot: 6/10. Age group: B")),
    dict(style="refusal", reason="graded out of 5", text=(
        "Grammar: 4/5, Creativity: 3/5, Consistency: 4/5, Plot: 3/5. Age group: C")),
    dict(style="refusal", reason="no grades found", text=(
        "What a lovely story about friendship! The student clearly enjoys writing.")),
    # --- written after the parser was frozen (a held-out check; none needed a parser change) ---------------
    dict(style='gpt4', scores=(9, 6, 8, 7), age='C', late=True, text='Overall the continuation is fluent.\n\n**Grammar: 9/10, Creativity: 6/10, Consistency: 8/10, Plot: 7/10. Age group: C (6-7).**'),
    dict(style='gpt4', scores=(7, 7, 6, 5), age='B', late=True, text='```\nGrammar: 7/10\nCreativity: 7/10\nConsistency: 6/10\nPlot: 5/10\nAge group: B\n```'),
    dict(style='vllm', scores=(8, 5, 9, 6), age='C', late=True, text='## Evaluation\n\n| Criterion | Score (1-10) | Notes |\n|-----------|--------------|-------|\n| **Grammar** | 8 | Few errors |\n| **Creativity** | 5 | Predictable |\n| **Consistency** | 9 | Same names |\n| **Plot** | 6 | Rushed ending |\n\n**Estimated Age Group:** C (6-7)'),
    dict(style='vllm', scores=(8, 6, 7, 6), age='B', late=True, text='```json\n{"Grammar": "8/10", "Creativity": "6/10", "Consistency": "7/10", "Plot": "6/10", "Age Group": "B (4-5)"}\n```'),
    dict(style='vllm', scores=(7, 6, 8, 7), age='D', late=True, text='<think>\nLet me evaluate. Grammar ok.\n</think>\n\n**Assessment**: Good.\n\n**Grades**: Grammar: 7/10, Creativity: 6/10, Consistency: 8/10, Plot: 7/10. Age group: D (8-9).'),
    dict(style='ollama', scores=(7, 5, 8, 6), age='C', late=True, text='Grammar: 7/10 - Good\nCreativity: 5/10 - Average\nConsistency: 8/10 - Very consistent\nPlot: 6/10 - Okay\nAge Group: C (6-7 years)'),
    dict(style='ollama', scores=(8, 6, 7, 5), age='B', late=True, text='1. Grammar: **8**\n2. Creativity: **6**\n3. Consistency: **7**\n4. Plot: **5**\n5. Age group: **B**'),
    dict(style='llamacpp', scores=(7, 6, 8, 5), age='B', late=True, text='Okay! So, looking at the grammar, I think it deserves a 7 out of 10. Creativity gets a 6 out of 10. Consistency with the beginning: 8 out of 10. And the plot, 5 out of 10. The writer seems to be age group B.'),
    dict(style='llamacpp', scores=(6, 5, 7, 4), age='A', late=True, text='Here are my grades:\nGrammar = 6\nCreativity = 5\nConsistency = 7\nPlot = 4\nAge group = A\nI hope this helps!'),
    dict(style='llamacpp', scores=(8, 7, 7, 6), age='C', late=True, text='Grammar: 8/10. Creativity: 7/10. Consistency: 7/10. Plot: 6/10.\nAge: around 7 years old.'),
    dict(style='refusal', reason='refused', late=True, text='I cannot evaluate this story.'),
    dict(style='refusal', reason='missing', late=True, text='Grammar: 8/10\nCreativity: 6/10\nConsistency: '),
]
