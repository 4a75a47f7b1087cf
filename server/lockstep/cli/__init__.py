"""The command line: `lockstep-lsp check|schema|new|consumers|serve`."""
