using Gateway.Actors.Sessions;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>Who the TUI's header names.</summary>
public sealed record TuiIdentity(string Email, string ClientAddress, string SessionId);

/// <summary>
/// What the status TUI shows of one SSH connection, built from what its session actor publishes:
/// connection rows (<see cref="ConnectionsUpdated"/>), the forward requests and the routes this
/// identity may serve (<see cref="ForwardsUpdated"/>), and the status lines as logs (connection
/// lines excepted: the table shows them). Plain state: the TUI's loop applies and reads it.
/// </summary>
public sealed class TunnelStatusModel
{
    public TunnelStatusModel(TuiIdentity identity) => Identity = identity;

    public TuiIdentity Identity { get; }

    public ConnectionTable Connections { get; } = new();

    public ForwardsUpdated Forwards { get; private set; } = new([], []);

    public LogBuffer Logs { get; } = new();

    public void Apply(SessionUpdate update)
    {
        switch (update)
        {
            case ConnectionsUpdated connections:
                foreach (var row in connections.Connections) Connections.Apply(row);
                break;
            case ForwardsUpdated forwards:
                Forwards = forwards;
                break;
        }
    }

    public void Log(DateTime at, string line) => Logs.Add(at, line);
}
