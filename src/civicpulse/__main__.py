from civicpulse.cli import main

main()
