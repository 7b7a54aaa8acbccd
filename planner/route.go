package planner

// queryModeRemote is catalog.ModeRemote: the table lives upstream only.
const queryModeRemote = "remote"

// route decides who answers a checked query:
//   - hybrid when it reads a remote table (fetched, then joined locally);
//   - local when it reads registry tables (or nothing at all: SELECT 1);
//   - catalog when it reads only catalog relations, or reads nothing and
//     calls catalog/session functions (version(), current_schema() …).
//
// Session statements never get here; they are routed to "session" when
// planned.
func route(a *analysis, g *grant) Route {
	if len(g.tables) > 0 {
		for _, t := range g.tables {
			if t.QueryMode == queryModeRemote {
				return RouteHybrid
			}
		}
		return RouteLocal
	}
	if len(g.catalog) > 0 || g.catalogCalls {
		return RouteCatalog
	}
	return RouteLocal
}
