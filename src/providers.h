/*
 * providers.h: the reintegration providers a case can be referred to, read
 * from providers.csv beside the assistance inventory (docs/case-work.md):
 * id, name, country, services (inventory kind codes separated by spaces),
 * contact.  The shipped file is illustrative.
 */
#ifndef HW_PROVIDERS_H
#define HW_PROVIDERS_H

#include <stddef.h>

#include "error.h"
#include "workspace.h"

typedef struct hw_provider {
	char *id, *name, *country, *services, *contact;
} hw_provider;

typedef struct hw_provider_list {
	size_t count;
	hw_provider *items;
} hw_provider_list;

/*
 * Read the workspace's providers.csv (installed with the forms), else the
 * shipped one.  A missing file is an empty list; a malformed one is
 * HW_EINVALID naming the line.
 */
int providers_load(hw_ws *ws, hw_provider_list **out);
void providers_free(hw_provider_list *l);

/* The provider with this id, or NULL. */
const hw_provider *providers_find(const hw_provider_list *l, const char *id);

#endif
