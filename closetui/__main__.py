from closetui.cli import main

raise SystemExit(main())
