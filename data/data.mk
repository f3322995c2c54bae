## data/data.mk
