# A judging image: Debian 12, the packages of scripts/setup.sh without the
# browser-test tooling, pipejudge built by scripts/build.sh into
# /opt/pipejudge/build, and a normal user `judge` for the user-namespace mode.
#
#   docker build -t pipejudge .
#
# The `docker run` flags each isolation mode needs are in README.md
# ("Running in a container").
FROM debian:12

ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
WORKDIR /opt/pipejudge

# The packages first, in a layer of their own: a change of the sources does
# not download them again.
COPY scripts/setup.sh scripts/
RUN scripts/setup.sh --no-browser && apt-get clean && rm -rf /var/lib/apt/lists/*

COPY . .
RUN scripts/build.sh \
 && ln -s /opt/pipejudge/build/pipejudge /usr/local/bin/pipejudge \
 && useradd --create-home --uid 1000 --shell /bin/bash judge

CMD ["pipejudge", "doctor"]
