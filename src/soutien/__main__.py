from soutien.cli import main

raise SystemExit(main())
