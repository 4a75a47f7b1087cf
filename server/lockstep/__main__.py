from lockstep.cli.quick import main

raise SystemExit(main())
