## src/git.mk
