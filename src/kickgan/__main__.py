from kickgan.cli.main import main

raise SystemExit(main())
