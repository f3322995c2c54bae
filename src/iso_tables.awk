# iso_tables.awk: data/iso3166-1.tsv and data/iso639.tsv (code TAB English
# name, sorted by code, # comments) as the C tables of src/iso.c.
BEGIN {
	FS = "\t"
	print "/* Generated from data/iso3166-1.tsv and data/iso639.tsv by src/iso_tables.awk: do not edit. */"
	print "#include \"config.h\""
	print "#include \"iso_tables.h\""
	table = ""
}
function close_table() {
	if (table != "") {
		print "};"
		printf "const size_t %s_count = %d;\n", table, n
	}
}
FNR == 1 {
	close_table()
	table = FILENAME ~ /3166/ ? "iso_countries" : "iso_languages"
	n = 0
	printf "const iso_entry %s[] = {\n", table
}
/^#/ || NF < 2 { next }
{
	gsub(/\\/, "\\\\", $2)
	gsub(/"/, "\\\"", $2)
	printf "\t{ \"%s\", \"%s\" },\n", $1, $2
	n++
}
END { close_table() }
