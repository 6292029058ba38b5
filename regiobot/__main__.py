from regiobot.cli import main

raise SystemExit(main())
