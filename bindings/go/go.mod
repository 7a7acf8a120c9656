module github.com/ftpkit/ftpkit-go

go 1.24
