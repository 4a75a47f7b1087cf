from lockstep.cli.main import main

raise SystemExit(main())
