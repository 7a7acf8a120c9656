module github.com/ftpkit/ftpkit/bench/go

go 1.24

require github.com/ftpkit/ftpkit-go v0.0.0

replace github.com/ftpkit/ftpkit-go => ../../bindings/go
