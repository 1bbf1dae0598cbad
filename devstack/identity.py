"""Users of the local Cognito pool (moto).

`PoolClient` makes only the unauthenticated calls a browser makes (sign up, confirm, sign in,
refresh): the web app's sequence, against moto instead of AWS. The admin helpers below it exist
for the local stack and its tests."""
import boto3

from devstack.stack import REGION, Stack


class PoolClient:
    def __init__(self, client_id: str, endpoint_url: str | None, region: str = REGION):
        self._client_id = client_id
        self._cognito = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url,
                                     aws_access_key_id="testing", aws_secret_access_key="testing")

    def sign_up(self, email: str, password: str) -> str:
        """Registers an unconfirmed user; Cognito mails a code to confirm. Returns the user's sub."""
        return self._cognito.sign_up(ClientId=self._client_id, Username=email, Password=password,
                                     UserAttributes=[{"Name": "email", "Value": email}])["UserSub"]

    def confirm(self, email: str, code: str) -> None:
        self._cognito.confirm_sign_up(ClientId=self._client_id, Username=email, ConfirmationCode=code)

    def sign_in(self, email: str, password: str) -> dict[str, str]:
        """IdToken, AccessToken and RefreshToken. (The web app uses SRP in AWS; see resources.yaml.)"""
        return self._cognito.initiate_auth(ClientId=self._client_id, AuthFlow="USER_PASSWORD_AUTH",
                                           AuthParameters={"USERNAME": email, "PASSWORD": password})[
            "AuthenticationResult"]

    def refresh(self, refresh_token: str) -> dict[str, str]:
        """Fresh Id and access tokens (no new refresh token)."""
        return self._cognito.initiate_auth(ClientId=self._client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                           AuthParameters={"REFRESH_TOKEN": refresh_token})["AuthenticationResult"]


def pool_client(stack: Stack) -> PoolClient:
    return PoolClient(stack.resources.user_pool_client_id, stack.moto_url)


def _admin(stack: Stack):
    return boto3.client("cognito-idp", region_name=REGION, endpoint_url=stack.moto_url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


class UserExists(Exception):
    """The pool already has a user with this address."""


def create_user(stack: Stack, email: str, password: str) -> None:
    """A confirmed user with a permanent password (admin path: the local pool sends no mail)."""
    cognito = _admin(stack)
    try:
        cognito.admin_create_user(UserPoolId=stack.resources.user_pool_id, Username=email, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": email},
                                                  {"Name": "email_verified", "Value": "true"}])
    except cognito.exceptions.UsernameExistsException:
        raise UserExists(email) from None
    cognito.admin_set_user_password(UserPoolId=stack.resources.user_pool_id, Username=email,
                                    Password=password, Permanent=True)


def verify_email(stack: Stack, email: str) -> None:
    """What Cognito does when a sign-up is confirmed with the mailed code and moto does not:
    mark the address verified (moto also accepts any code)."""
    _admin(stack).admin_update_user_attributes(UserPoolId=stack.resources.user_pool_id, Username=email,
                                               UserAttributes=[{"Name": "email_verified", "Value": "true"}])


def sign_in(stack: Stack, email: str, password: str) -> dict[str, str]:
    """The Cognito tokens (IdToken, AccessToken, RefreshToken) for a user."""
    return pool_client(stack).sign_in(email, password)
