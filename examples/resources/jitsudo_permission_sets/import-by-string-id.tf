# "*" imports every permission set of the tenant; a comma-separated list of
# ARNs imports only those.
import {
  to = jitsudo_permission_sets.example
  id = "*"
}
