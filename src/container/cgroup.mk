# cgroups v1 and v2 (owned by the resources engineer)
