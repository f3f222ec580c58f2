namespace Gateway.Contracts.Messages;

/// <summary>
/// Marker for every message that may cross a node boundary. Such messages are sealed records,
/// small (far below Akka.Remote's frame limit) and carry no bulk bytes: those travel on the relay.
/// </summary>
public interface IGatewayMessage;
