"""Where articles come from over the network: HTTP fetching and feed discovery."""
