namespace Gateway.Config;

/// <summary>A route's <c>retry_on_tunnel_failure</c>.</summary>
public enum TunnelRetryPolicy
{
    /// <summary>
    /// <c>"idempotent"</c>: once, on another endpoint, for idempotent methods (RFC 9110 §9.2.2) whose
    /// body is absent or held by the gateway; any method whose request never left the gateway (the
    /// tunnel did not open). As nginx's <c>proxy_next_upstream error</c> without <c>non_idempotent</c>,
    /// or Envoy's <c>retry_on: reset,connect-failure</c> with one retry.
    /// </summary>
    Idempotent,

    /// <summary><c>"never"</c>: a request is sent once; a failure is the client's answer (502).</summary>
    Never,
}
