from teamtui.startup import main

main()
