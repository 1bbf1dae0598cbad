"""What tests share, one way each: certificates to upload, clocks to set by hand, a service's exact
environment, and the people who use Pawport (callers in process, users of the local pool over HTTP)."""
