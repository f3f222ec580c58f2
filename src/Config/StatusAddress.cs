namespace Gateway.Config;

/// <summary>
/// <c>cluster.status_address</c> as written: <c>host:port</c> like every listen address, except
/// that a port alone (<c>8081</c> or <c>:8081</c>) means loopback, not every interface. The status
/// listener is an admin surface; reaching it from other machines must be asked for by address.
/// </summary>
public static class StatusAddress
{
    public static bool TryParse(string text, out HostPort? value, out string error)
    {
        var s = text.Trim();
        var port = s.StartsWith(':') ? s[1..] : s;
        if (port.Length > 0 && port.All(char.IsAsciiDigit))
            s = "127.0.0.1:" + port;
        return HostPort.TryParse(s, null, out value, out error);
    }
}
