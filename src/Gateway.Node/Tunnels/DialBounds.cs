namespace Gateway.Node.Tunnels;

/// <summary>
/// How long each wait on the way to an open tunnel may take (docs/cluster.md, "Bounded waits",
/// has the measurements behind the values). Every wait is also cancelled with its request.
/// </summary>
/// <param name="Reach">
/// The short bound: an attempt on one endpoint (local: the channel open and the SOCKS reply;
/// relayed: the relay connect, the ticket, and the owner's report that it opened the channel) that
/// has not finished by then is abandoned for another endpoint of the route, and the endpoint (or,
/// when the relay connect or the ticket was still pending, its node) is suspected. Applies only
/// when another endpoint exists: a slow single tunnel is waited for up to <paramref name="Open"/>.
/// </param>
/// <param name="Open">The long bound of one attempt: the channel open, the relay connect, the ticket, the owner's reply.</param>
/// <param name="Socks">The SOCKS handshake of a dynamic forward (the client connects to the <c>to</c> address before it answers).</param>
/// <param name="SilentSocks">
/// A SOCKS handshake that got no byte back for at least this long and then ended (by its bound,
/// or with its request) counts as a static-mode client in front of a silent service.
/// </param>
public sealed record DialBounds(TimeSpan Reach, TimeSpan Open, TimeSpan Socks, TimeSpan SilentSocks)
{
    public static readonly DialBounds Default = new(
        Reach: TimeSpan.FromMilliseconds(500),
        Open: TimeSpan.FromSeconds(10),
        Socks: TimeSpan.FromSeconds(10),
        SilentSocks: TimeSpan.FromSeconds(1));
}
