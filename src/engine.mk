## src/engine.mk
