"""Understanding: what each item says, in which language, about what and where."""
