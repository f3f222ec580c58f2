namespace Gateway.Node.Http;

/// <summary>
/// The endpoint a request picked is no longer there (its SSH connection ended after the pick, or
/// the replica that listed it was behind). Not a failure of the route: the dialer tries another
/// endpoint without counting it, and answers 503 when none is left.
/// </summary>
public sealed class TunnelEndpointGoneException : Exception
{
    public TunnelEndpointGoneException(string message) : base(message) { }
}
