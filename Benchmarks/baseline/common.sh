# Shared by the baseline scripts: strict SemVer release tags in bash, as a competent engineer
# would write them (the official regex's shape), and version order with sort -V.
id='(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)'
semver="^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-$id(\.$id)*)?$"
newest() { sort -V | tail -n1; }
