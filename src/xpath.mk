## src/xpath.mk: the ODK XPath parser and evaluator
