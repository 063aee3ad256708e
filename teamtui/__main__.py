from teamtui.cli import main

main()
