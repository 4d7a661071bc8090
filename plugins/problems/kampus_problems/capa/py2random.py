"""A random generator drawing the same numbers as Open edX's ``random2`` (Python 2.7's ``random``).

Upstream capa seeds problem scripts, choice shuffles and answer pools with ``random2``, whose
``randrange``/``randint``/``choice``/``shuffle``/``sample`` differ from Python 3's. The Mersenne
Twister core, seeding from an int and ``random()`` are the same, so this subclass only restates
those integer-drawing methods. This module is self-contained: its source is also sent into the
sandbox to stand in for ``random`` in instructor scripts.
"""

import random as _random_module
from math import ceil as _ceil
from math import log as _log

_MAXWIDTH = 1 << 53


class Py2Random(_random_module.Random):
    """``random.Random`` with Python 2.7's integer-drawing algorithms."""

    def randrange(self, start, stop=None, step=1):
        istart = int(start)
        if istart != start:
            raise ValueError("non-integer arg 1 for randrange()")
        if stop is None:
            if istart > 0:
                if istart >= _MAXWIDTH:
                    return self._randbelow(istart)
                return int(self.random() * istart)
            raise ValueError("empty range for randrange()")
        istop = int(stop)
        if istop != stop:
            raise ValueError("non-integer stop for randrange()")
        width = istop - istart
        if step == 1 and width > 0:
            if width >= _MAXWIDTH:
                return int(istart + self._randbelow(width))
            return int(istart + int(self.random() * width))
        if step == 1:
            raise ValueError(f"empty range for randrange() ({istart},{istop}, {width})")
        istep = int(step)
        if istep != step:
            raise ValueError("non-integer step for randrange()")
        if istep > 0:
            n = (width + istep - 1) // istep
        elif istep < 0:
            n = (width + istep + 1) // istep
        else:
            raise ValueError("zero step for randrange()")
        if n <= 0:
            raise ValueError("empty range for randrange()")
        if n >= _MAXWIDTH:
            return istart + istep * self._randbelow(n)
        return istart + istep * int(self.random() * n)

    def randint(self, a, b):
        return self.randrange(a, b + 1)

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def shuffle(self, x, random=None):
        if random is None:
            random = self.random
        for i in reversed(range(1, len(x))):
            j = int(random() * (i + 1))
            x[i], x[j] = x[j], x[i]

    def sample(self, population, k):
        n = len(population)
        if not 0 <= k <= n:
            raise ValueError("sample larger than population")
        random = self.random
        result = [None] * k
        setsize = 21
        if k > 5:
            setsize += 4 ** _ceil(_log(k * 3, 4))
        if n <= setsize or hasattr(population, "keys"):
            pool = list(population)
            for i in range(k):
                j = int(random() * (n - i))
                result[i] = pool[j]
                pool[j] = pool[n - i - 1]
        else:
            try:
                selected = set()
                for i in range(k):
                    j = int(random() * n)
                    while j in selected:
                        j = int(random() * n)
                    selected.add(j)
                    result[i] = population[j]
            except (TypeError, KeyError):
                if isinstance(population, list):
                    raise
                return self.sample(tuple(population), k)
        return result
