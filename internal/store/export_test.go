package store

// For the tests of package store_test.
var (
	Engines = engines
	TempDB  = tempDB
)
