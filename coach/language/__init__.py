"""The language layer: reads family messages (offline rules; chat models through `chat`) and
words the coach's replies. Pure: nothing here imports Django, the graph or the database, so the
rules and the wording can be used and tested anywhere (the model a process uses is chosen by
`coach.graph.context.get_language_model`)."""
