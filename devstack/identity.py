"""Users in the local Cognito pool (moto), signed in through the same API the web app uses."""
import boto3

from devstack.stack import REGION, Stack


def _cognito(stack: Stack):
    return boto3.client("cognito-idp", region_name=REGION, endpoint_url=stack.moto_url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def create_user(stack: Stack, email: str, password: str) -> None:
    """A confirmed user with a permanent password (admin path: the local pool sends no mail)."""
    cognito = _cognito(stack)
    cognito.admin_create_user(UserPoolId=stack.resources.user_pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email},
                                              {"Name": "email_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=stack.resources.user_pool_id, Username=email,
                                    Password=password, Permanent=True)


def sign_in(stack: Stack, email: str, password: str) -> dict[str, str]:
    """The Cognito tokens (IdToken, AccessToken, RefreshToken) for a user."""
    answer = _cognito(stack).initiate_auth(ClientId=stack.resources.user_pool_client_id,
                                           AuthFlow="USER_PASSWORD_AUTH",
                                           AuthParameters={"USERNAME": email, "PASSWORD": password})
    return answer["AuthenticationResult"]
