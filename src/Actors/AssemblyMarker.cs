namespace Gateway.Actors; internal static class AssemblyMarker { }
