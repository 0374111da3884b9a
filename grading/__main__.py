import sys

from grading.run import main

sys.exit(main())
