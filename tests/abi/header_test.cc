// The C++ side of the header self-containment test: the same checks as
// header_test.c, compiled as C++11 and C++17 (extern "C" linkage, no C-only
// constructs in the header).
#include "header_test.c"
