namespace Gateway.Contracts; internal static class AssemblyMarker { }
